package sigv4_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// A handler that requires SigV4 (as AWS_IAM methods will on the data
// plane): read the body once, bounded, verify, hand the body on.
func ExampleVerifier_Verify() {
	creds, err := sigv4.ParseCredentialsString("[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n")
	if err != nil {
		panic(err)
	}
	v := &sigv4.Verifier{Credentials: creds}
	_ = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		id, err := v.Verify(r, body)
		var e *sigv4.Error
		if errors.As(err, &e) {
			w.Header().Set("x-amzn-ErrorType", e.Code)
			w.WriteHeader(e.Status)
			fmt.Fprintf(w, `{"message":%q}`, e.Message)
			return
		}
		fmt.Fprintf(w, "hello %s (%s)", id.AccessKeyID, id.Profile)
	})
	fmt.Println(creds.Len())
	// Output: 1
}
