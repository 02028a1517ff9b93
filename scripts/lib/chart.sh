# Sourced by scripts/tools/*.sh that package a chart from its source for the
# end-to-end run (not run by scripts/tools.sh itself).

# chart_packaged NAME VERSION: true when .tools/charts/NAME-VERSION.tgz is there with its checksum.
chart_packaged() {
  (cd .tools/charts 2>/dev/null && sha256sum --status -c "$1-$2.tgz.sha256" 2>/dev/null)
}

# package_chart DIR VERSION: packages the chart in DIR (a writable copy: its
# Chart.yaml is edited) with the version and appVersion the release sets (its
# source may name others), as archive_chart does.
package_chart() {
  local dir=$1 version=$2
  sed -i -e "s/^version: .*/version: $version/" -e "s/^appVersion: .*/appVersion: $version/" "$dir/Chart.yaml"
  if [ "$(grep -cxE "(version|appVersion): $version" "$dir/Chart.yaml")" != 2 ]; then
    echo "tools: ERROR: could not set version and appVersion in $(basename "$dir")'s Chart.yaml" >&2
    exit 1
  fi
  archive_chart "$dir" "$version"
}

# archive_chart DIR VERSION: packages the chart in DIR, whose Chart.yaml says
# version VERSION, as .tools/charts/<name>-VERSION.tgz, replacing any other
# version of it.
archive_chart() {
  local dir=$1 version=$2 name
  name=$(basename "$dir")
  if ! grep -qx "version: $version" "$dir/Chart.yaml"; then
    echo "tools: ERROR: $name's Chart.yaml does not say version: $version" >&2
    exit 1
  fi
  local charts=.tools/charts tgz=$name-$version.tgz
  mkdir -p "$charts"
  rm -f "$charts/$name"-*.tgz "$charts/$name"-*.tgz.sha256
  chart_tgz "$dir" "$charts/$tgz"
  (cd "$charts" && sha256sum "$tgz" > "$tgz.sha256")
  cat "$charts/$tgz.sha256"
}

# chart_tgz DIR FILE: the chart in DIR as a chart archive FILE. Sorted names, a
# fixed mtime and owner, gzip without name or time: the same bytes, so the same
# digest, on every machine.
chart_tgz() {
  tar -C "$(dirname "$1")" --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --mode=u+w,go-w,a+rX -cf - "$(basename "$1")" | gzip -9n > "$2"
}
