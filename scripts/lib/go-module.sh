# Sourced by scripts/tools/*.sh (not run by scripts/tools.sh itself).

# pinned WANT COMMAND...: true when COMMAND, the installed tool's version query,
# prints WANT (it prints nothing while the tool is not there yet).
pinned() {
  local want=$1
  shift
  [ "$("$@" 2>/dev/null)" = "$want" ]
}

# building WHAT, then built WHAT: the two lines every tool build prints, the
# second with the build's time.
building() {
  echo "tools: building $1"
  BUILD_START=$SECONDS
}
built() {
  echo "tools: $1 built in $((SECONDS - BUILD_START))s"
}
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

# go_tools_build SRC LDFLAGS OUT PACKAGE REQUIRE...: writes a tools module under
# SRC that requires each "module version" and imports PACKAGE (a command), then
# builds it into OUT. For commands whose module cannot be `go install`ed at a
# version (their go.mod has replace directives, or a sibling module must be
# required at the same version). An argument "module => module version" is a
# replace line instead of a requirement (a dependent module must repeat the
# command's own replaces).
go_tools_build() {
  local src=$1 ldflags=$2 out=$3 pkg=$4 arg
  local -a requires=() replaces=()
  shift 4
  for arg in "$@"; do
    case $arg in
      *" => "*) replaces+=("$arg") ;;
      *) requires+=("$arg") ;;
    esac
  done
  rm -rf "$src"
  mkdir -p "$src" "$(dirname "$out")"
  {
    printf 'module tools/%s\n\ngo 1.26.0\n\nrequire (\n' "$(basename "$src")"
    printf '\t%s\n' "${requires[@]}"
    printf ')\n'
    if [ ${#replaces[@]} -gt 0 ]; then
      printf '\nreplace (\n'
      printf '\t%s\n' "${replaces[@]}"
      printf ')\n'
    fi
  } > "$src/go.mod"
  printf '//go:build tools\n\n// Package tools records the commands this module builds.\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$src/tools.go"
  out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
  (
    cd "$src"
    go mod tidy
    CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out" "$pkg"
  )
}

# Each Go-built tool is a committed module of its own, scripts/tools/go/<tool>:
# a go.mod whose `tool` directive names the command(s) (or a main package of
# its own), with its go.sum, so the build resolves exactly what is committed
# and Renovate's gomod manager keeps it current (renovate.json).

# tool_module_version TOOL MODULE: the version of MODULE that
# scripts/tools/go/TOOL/go.mod requires (what the tool script pins).
tool_module_version() {
  go mod edit -json "scripts/tools/go/$1/go.mod" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const r = (JSON.parse(s).Require ?? []).find((r) => r.Path === process.argv[1]);
      if (!r) { console.error(`tools: ERROR: scripts/tools/go/${process.argv[2]}/go.mod does not require ${process.argv[1]}`); process.exit(1); }
      console.log(r.Version);
    });' "$2" "$1"
}

# build_tool TOOL LDFLAGS OUT PACKAGE [GO BUILD FLAG...]: builds PACKAGE (a
# command of the module's graph, or "." for the module's own main package)
# from the committed module scripts/tools/go/TOOL into OUT, through a new file
# renamed over OUT (.tools/bin may be hard-linked between checkouts).
build_tool() {
  local tool=$1 ldflags=$2 out=$3 pkg=$4
  shift 4
  mkdir -p "$(dirname "$out")"
  out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
  (
    cd "scripts/tools/go/$tool"
    CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false -ldflags "$ldflags" "$@" -o "$out.new" "$pkg"
  )
  mv -f "$out.new" "$out"
}
