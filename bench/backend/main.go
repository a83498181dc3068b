// Command backend is the tiny HTTP backend the load script proxies to: it
// answers every request with the same small JSON document, so the numbers
// measure the proxies, not the backend.
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18080", "address to listen on (keep it on loopback)")
	flag.Parse()
	body := []byte(`{"message":"hello from the backend"}`)
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Content-Type"] = []string{"application/json"}
		hd["Content-Length"] = []string{length}
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*listen, h))
}
