# Sourced by scripts/tools/*.sh (not run by scripts/tools.sh itself).
# go_module FIELD MODULE@VERSION: downloads a module through the Go module proxy
# and prints one field of `go mod download -json`: Dir (the unpacked module),
# GoMod (its go.mod file), ... Fails with the proxy's error.
go_module() {
  go mod download -json "$2" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error) { console.error(m.Error); process.exit(1); }
      console.log(m[process.argv[1]]);
    });' "$1"
}
