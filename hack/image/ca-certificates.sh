#!/usr/bin/env bash
# Prints "DIR VERSION": DIR holds the PEM certificates of Debian's ca-certificates package
# (its usr/share/ca-certificates/mozilla), VERSION is that package's version. hack/image puts
# their concatenation, in name order, into the image as /etc/ssl/certs/ca-certificates.crt.
#
# The package's own files are used, never the machine's /etc/ssl/certs/ca-certificates.crt: that
# bundle also holds whatever CAs the machine's administrator added (/usr/local/share/ca-certificates),
# which belong to that machine, not to the image.
#
# The .deb is fetched once with `apt-get download` (Debian's current version) into CACHE_DIR and
# unpacked there; later builds reuse it, so that they put the same certificates into the image.
# Delete CACHE_DIR to take a newer version. As root, `apt-get update` is run first when apt knows
# no candidate yet. Only when the download fails (offline) is an installed ca-certificates
# package read in place, with a warning.
set -euo pipefail
cache=${1:?usage: hack/image/ca-certificates.sh CACHE_DIR}
mozilla=usr/share/ca-certificates/mozilla

mkdir -p "$cache"
cd "$cache"
deb=$(ls ca-certificates_*_all.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ] && command -v apt-get >/dev/null; then
	# As root apt would drop to the _apt user, which may not write CACHE_DIR: it only warns.
	apt-get -q download ca-certificates >&2 2>/dev/null ||
		{ [ "$(id -u)" = 0 ] && apt-get -q update >&2 && apt-get -q download ca-certificates >&2; } || true
	deb=$(ls ca-certificates_*_all.deb 2>/dev/null | head -n 1 || true)
fi
if [ -z "$deb" ]; then
	if [ -d "/$mozilla" ] && dpkg-query -W -f='${Status}' ca-certificates 2>/dev/null | grep -q 'install ok installed'; then
		echo "hack/image: could not download ca-certificates; using the installed package's certificates" >&2
		echo "/$mozilla $(dpkg-query -W -f='${Version}' ca-certificates)"
		exit 0
	fi
	echo "hack/image: Debian's ca-certificates package could be neither downloaded (apt-get download) nor found installed" >&2
	exit 1
fi
version=${deb#ca-certificates_}
version=${version%_all.deb}
# Unpacked once per .deb, next to it, and renamed into place, so that a build running meanwhile
# never reads a half-unpacked directory.
if [ "$(cat root/.deb 2>/dev/null)" != "$deb" ]; then
	tmp=$(mktemp -d root.XXXXXX)
	if command -v dpkg-deb >/dev/null; then
		dpkg-deb -x "$deb" "$tmp"
	else
		data=$(ar t "$deb" | grep '^data\.tar')
		ar p "$deb" "$data" | tar -x -J -C "$tmp" -f -
	fi
	echo "$deb" >"$tmp/.deb"
	rm -rf root
	mv "$tmp" root
fi
echo "$PWD/root/$mozilla $version"
