//go:build js && wasm

package jsbridge

import "syscall/js"

// Start hands the Go API to the loader, which then replays the calls the app
// made while the runtime was loading.
func Start() {
	rt = js.Global().Get("__exotelsdkRuntime")
	if rt.Type() != js.TypeObject {
		panic("exotelsdk.wasm must be started by exotelsdk.js")
	}
	js.Global().Delete("__exotelsdkRuntime")
	api := object(map[string]any{
		"newClient": export("newClient", nil, func([]js.Value) any { return newClient() }),
		"registerLoggerCallback": export("registerLoggerCallback", nil, func(args []js.Value) any {
			setLoggerCallback(arg(args, 0))
			return nil
		}),
		"setEnableConsoleLogging": export("setEnableConsoleLogging", nil, func(args []js.Value) any {
			setConsoleLogging(truthy(arg(args, 0)))
			return nil
		}),
		"setLogLevel": export("setLogLevel", false, func(args []js.Value) any {
			return setLogLevel(str(arg(args, 0)))
		}),
		"log": export("log", nil, func(args []js.Value) any {
			msg := str(arg(args, 1))
			switch str(arg(args, 0)) {
			case "debug":
				logger.Debugf("%s", msg)
			case "error":
				logger.Errorf("%s", msg)
			case "warn":
				logger.Warnf("%s", msg)
			default:
				logger.Infof("%s", msg)
			}
			return nil
		}),
	})
	exposeDebugHooks()
	logger.Infof("exotelsdk %s started", Version)
	rt.Call("started", api)
}
