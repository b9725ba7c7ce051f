#!/bin/sh
# vendor.sh re-fetches the console's vendored front-end files from npm
# (make vendor-console). Each fetch line below names a package, its
# pinned version, the directory under static/vendor/ it goes to, and the
# files of the package to copy there; the package's LICENSE is always
# copied. Bump a version here, run it, and update the VENDOR.md beside the
# files. The build never runs this: the files are checked in.
set -eu
here=$(cd "$(dirname "$0")/static/vendor" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # package version dir files...
	pkg=$1 ver=$2 dir=$3
	shift 3
	(cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
	mkdir -p "$tmp/$pkg" "$here/$dir"
	tar xzf "$tmp/$pkg-$ver.tgz" -C "$tmp/$pkg"
	cp "$tmp/$pkg/package/LICENSE" "$here/$dir/LICENSE"
	for f in "$@"; do
		cp "$tmp/$pkg/package/$f" "$here/$dir/$(basename "$f")"
	done
	echo "vendor: $pkg@$ver -> static/vendor/$dir"
}

# The script editor (scripts pages): CodeJar edits, Prism highlights.
fetch codejar 4.3.0 codejar dist/codejar.js
fetch prismjs 1.30.0 prism components/prism-core.min.js components/prism-clike.min.js \
	components/prism-javascript.min.js themes/prism-tomorrow.min.css
