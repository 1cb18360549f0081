# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Private apt states, sourced by tests/vm/fetch-kernels.sh and tests/vm/cross-tool.sh: a suite and
# Debian architecture other than the machine's own bookworm amd64 is reached through
# CACHE/apt/SUITE[-ARCH] (its own sources file, lists, cache, an empty dpkg status and
# APT::Architecture), built from the URI the machine's apt already uses for bookworm. The system's
# sources and dpkg architectures are never changed and nothing is installed.
#
# The sourcing script sets `cache` (an absolute directory) and defines `die`. After `apt_for SUITE
# ARCH`, "${APT[@]}" are the options that make apt-get and apt-cache use that state (none for bookworm
# amd64: the machine's own apt).

# The URI the machine's apt fetches bookworm from (deb822 or one-line sources alike).
mirror_uri() {
	local uri
	# shellcheck disable=SC2016 # apt's own $(FIELD) format, not the shell's
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || die "the machine's apt sources have no bookworm suite with package lists (run apt-get update first): cannot derive the mirror for other suites"
	echo "$uri"
}

# The sources of SUITE for a private state: bookworm's as the machine's apt has them (its updates and
# security suites too: the newest 6.1 kernels are there), another suite from the bookworm mirror.
sources_for() {
	local suite=$1 key=/usr/share/keyrings/debian-archive-keyring.gpg
	if [ "$suite" = bookworm ]; then
		# shellcheck disable=SC2016 # apt's own $(FIELD) format, not the shell's
		apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
			awk -v k="$key" '$2 ~ /^bookworm(-updates|-security)?$/ && !seen[$0]++ {
				print "deb [signed-by=" k "] " $1 " " $2 " main" }'
	else
		echo "deb [signed-by=$key] $(mirror_uri) $suite main"
	fi
}

# apt options for SUITE and Debian architecture ARCH ("" for the system's own apt, which carries
# bookworm amd64). The lists are refreshed once a day, one refresh of a state at a time (flock
# beside it: the kernel fetches and the cross tool builds share the bookworm-ARCH states).
APT=()
apt_for() {
	local suite=$1 arch=$2 d
	APT=()
	[ "$suite" = bookworm ] && [ "$arch" = amd64 ] && return
	d=${cache:?}/apt/$suite
	[ "$arch" = amd64 ] || d=$d-$arch
	APT=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/parts"
		-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status" -o "Dir::Cache=$d/cache"
		-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none -o APT::Architecture="$arch"
		-o APT::Architectures::="$arch")
	mkdir -p "$cache/apt"
	(
		flock 8
		if [ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
			mkdir -p "$d/parts" "$d/lists/partial" "$d/cache/archives/partial"
			: >"$d/status"
			: >"$d/preferences"
			sources_for "$suite" >"$d/sources.list"
			apt-get "${APT[@]}" update -q >"$d/update.log" 2>&1 ||
				die "apt-get update of the private $suite $arch state failed (see $d/update.log)"
		fi
	) 8>"$d.lock" || exit 2
}
