// Package client is what an ExotelWebClient decides, apart from the browser:
// which client owns an account in a page, the precedence of
// checkClientStatus, the one settings struct the next calls read, the
// parsing of ICE server lists, device matching, and how a command from
// another tab is applied to a call and a call is described to other tabs.
// jsbridge reads the app's JavaScript values and hands them here; every rule
// is tested natively.
package client
