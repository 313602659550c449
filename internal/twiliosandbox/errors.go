package twiliosandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Twilio error codes the server answers with on its own.
const (
	CodeNotFound         = 20404 // resource not found
	CodeAuthenticate     = 20003 // bad Account SID / auth token
	CodeTooManyRequests  = 20429
	CodeInternal         = 20500
	CodeInvalidParameter = 20001
	CodeInvalidTo        = 21211 // 'To' is not a valid phone number
	CodeBodyRequired     = 21602 // no Body, MediaUrl or ContentSid
	CodeFromRequired     = 21603 // no From or MessagingServiceSid
	CodeToRequired       = 21604
	CodeUnsubscribed     = 21610 // the recipient texted STOP
	CodeBodyTooLong      = 21617 // body over 1600 characters
)

// apiError is Twilio's error body. twilio-go reads Status from here, not
// from the HTTP status line, so it must always be filled in.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
}

// WriteError answers with Twilio's JSON error body; a 401 with code
// CodeAuthenticate also gets the WWW-Authenticate header Twilio sends.
func WriteError(w http.ResponseWriter, status, code int, msg string) {
	e := apiError{Code: code, Message: msg, Status: status}
	if code != 0 {
		e.MoreInfo = fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)
	}
	if code == CodeAuthenticate {
		e.Detail = "Your AccountSid or AuthToken was incorrect."
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, http.StatusNotFound, CodeNotFound,
		fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
}
