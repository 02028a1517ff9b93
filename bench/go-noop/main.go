// Command go-noop is the Go reference of the benchmark: a composition function
// on function-sdk-go that returns the desired state untouched, the cheapest
// function the Go SDK can serve. Built by scripts/tools/bench-functions.sh.
package main

import (
	"context"
	"flag"
	"log"

	function "github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
)

type noop struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
}

func (noop) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return response.To(req, response.DefaultTTL), nil
}

func main() {
	address := flag.String("address", "127.0.0.1:9443", "address to listen on for gRPC")
	insecure := flag.Bool("insecure", false, "serve without mTLS")
	certs := flag.String("tls-server-certs-dir", "", "directory with tls.crt, tls.key and ca.crt")
	flag.Parse()
	// The SDK's metrics server defaults to :8080 on every interface; the bench serves on loopback only.
	err := function.Serve(noop{},
		function.Listen("tcp", *address),
		function.MTLSCertificates(*certs),
		function.Insecure(*insecure),
		function.WithMetricsServer("127.0.0.1:0"))
	if err != nil {
		log.Fatal(err)
	}
}
