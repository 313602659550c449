package twiliotest

import "testing"

// Start starts a server for tests on 127.0.0.1 with a random, well-formed
// Account SID and auth token, and closes it when the test ends. A server
// that cannot start fails the test.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := New(NewAccountSID(), NewAuthToken())
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start Twilio test server: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}
