#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the Debian packages from this checkout and check them: dpkg-buildpackage -us -uc -b in a
# copy under OUT (dpkg-buildpackage writes its results next to the source tree, so the checkout
# stays clean), lintian with no error and no warning, the two file names, and the files each
# package must carry.
#   usage: build-packages.sh SOURCE_DIR OUT      -> OUT/zonelens_V_amd64.deb, OUT/zonelens-dkms_V_all.deb
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_DIR OUT" >&2; exit 2; }
src=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || { echo "build-packages: $t is missing (tests/vm/install-deps.sh installs it)"; exit 1; }
done
[ -x /usr/bin/dh_dkms ] || { echo "build-packages: dh_dkms is missing (apt-get install dh-dkms)"; exit 1; }
version=$(sed -n '1s/^zonelens (\([^)]*\)).*/\1/p' "$src/debian/changelog")
arch=$(dpkg --print-architecture)
tree=$out/zonelens-$version
rm -rf "$tree" "$out"/zonelens*.deb "$out"/zonelens*.changes "$out"/zonelens*.buildinfo
mkdir -p "$tree"
# the files git knows (committed or not yet), never the build trees
(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tree")
echo "build-packages: dpkg-buildpackage -us -uc -b in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$out/dpkg-buildpackage.log" 2>&1 || {
	tail -n 40 "$out/dpkg-buildpackage.log"
	echo "build-packages: dpkg-buildpackage failed (see $out/dpkg-buildpackage.log)"
	exit 1
}
tool=$out/zonelens_${version}_${arch}.deb
dkmsdeb=$out/zonelens-dkms_${version}_all.deb
for f in "$tool" "$dkmsdeb"; do
	[ -f "$f" ] || { echo "build-packages: no $f"; ls "$out"; exit 1; }
done
changes=$out/zonelens_${version}_${arch}.changes
echo "build-packages: lintian $changes"
lintian --fail-on error,warning --display-info "$changes" 2>&1 | tee "$out/lintian.log"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "build-packages: lintian found errors or warnings"; exit 1; }
if grep -E '^[EW]: ' "$out/lintian.log"; then
	echo "build-packages: lintian found errors or warnings"
	exit 1
fi
fails=0
has() {  # has DEB PATH...
	local deb=$1 list p
	shift
	list=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
	for p in "$@"; do
		if ! grep -qxF "$p" <<<"$list"; then
			echo "FAIL: $(basename "$deb") lacks $p"
			fails=$((fails + 1))
		fi
	done
}
has "$tool" /usr/bin/zonelens /usr/share/man/man8/zonelens.8.gz /usr/share/bash-completion/completions/zonelens \
	/usr/libexec/zonelens/zonelens-verify /usr/libexec/zonelens/zonelens-probe-helper /lib/udev/rules.d/60-zonelens.rules \
	/lib/systemd/system/zonelens-verify.service /lib/systemd/system/zonelens-verify.timer \
	/usr/share/doc/zonelens/README.md.gz
has "$dkmsdeb" "/usr/src/zonelens-$version/dkms.conf" "/usr/src/zonelens-$version/Kbuild" \
	"/usr/src/zonelens-$version/kmod/Kbuild" "/usr/src/zonelens-$version/kmod/zl_main.c"
dpkg-deb -f "$dkmsdeb" Depends | grep -q dkms || { echo "FAIL: zonelens-dkms does not depend on dkms"; fails=$((fails + 1)); }
rm -rf "$tree"
[ $fails = 0 ] || exit 1
echo "build-packages: ok: $(basename "$tool") $(basename "$dkmsdeb"), lintian clean"
