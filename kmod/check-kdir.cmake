# SPDX-License-Identifier: GPL-2.0
# Run by the kmod target (cmake -DKDIR=... -P): fail early with a clear message.
if(NOT EXISTS "${KDIR}/Makefile")
  message(FATAL_ERROR
    "zonelens kmod: no kernel build tree at KDIR='${KDIR}'.\n"
    "Install the headers of the target kernel (Debian: apt-get install linux-headers-$(uname -r))\n"
    "or configure with -DKDIR=/path/to/linux-headers-<release>.")
endif()
