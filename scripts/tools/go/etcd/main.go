// Command etcd is the upstream etcd server entry point (the etcd release's
// main package lives in a module whose go.mod replaces its siblings with local
// folders, so it cannot be built from the Go module proxy; this one calls the
// same etcdmain.Main).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
