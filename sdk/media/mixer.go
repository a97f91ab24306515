package media

// Mixer joins the audio of several calls in the page for a local
// conference (exWebClient.Conference): each member's far end hears our
// microphone and every other member's far end; our speaker already plays
// every call. A Factory may implement it; the phone asks for it with a type
// assertion, so a media without one simply cannot do conferences.
type Mixer interface {
	// Mix makes sessions (of this factory) the members of the one
	// conference, replacing the previous set: a session that was a member
	// and is not any more sends its plain microphone again, and Mix(nil)
	// ends the conference. SetMuted on a member silences our microphone in
	// what that member's far end hears, not the other members' voices; a
	// held member sends nothing, as SetHeld says. Sessions already closed
	// are left out.
	Mix(sessions []Session) error
}
