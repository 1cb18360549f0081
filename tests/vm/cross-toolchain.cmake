# SPDX-License-Identifier: GPL-2.0-or-later
# CMake toolchain of the static zonelens and zonelens-probe-helper for the arm64 and ppc64el guests
# (tests/vm/cross-tool.sh configures with it):
#   -DCMAKE_TOOLCHAIN_FILE=tests/vm/cross-toolchain.cmake
#   -DZONELENS_CROSS_TRIPLET=aarch64-linux-gnu|powerpc64le-linux-gnu
#   -DZONELENS_CROSS_SYSROOT=DIR    the target's Boost, libnuma and nlohmann-json packages, unpacked
# Debian 12's cross compilers (g++-aarch64-linux-gnu, g++-powerpc64le-linux-gnu) bring the target's
# glibc and libstdc++ under /usr/TRIPLET; everything else is looked up in the sysroot only, never in
# the host's /usr. No --sysroot: the compilers keep their own for libc.
set(CMAKE_SYSTEM_NAME Linux)
if(ZONELENS_CROSS_TRIPLET STREQUAL "aarch64-linux-gnu")
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
elseif(ZONELENS_CROSS_TRIPLET STREQUAL "powerpc64le-linux-gnu")
  set(CMAKE_SYSTEM_PROCESSOR ppc64le)
else()
  message(FATAL_ERROR "ZONELENS_CROSS_TRIPLET must be aarch64-linux-gnu or powerpc64le-linux-gnu, "
                      "not '${ZONELENS_CROSS_TRIPLET}'")
endif()
if(NOT IS_DIRECTORY "${ZONELENS_CROSS_SYSROOT}")
  message(FATAL_ERROR "ZONELENS_CROSS_SYSROOT '${ZONELENS_CROSS_SYSROOT}' is not a directory")
endif()
# try_compile projects read this file again: pass the two on
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZONELENS_CROSS_TRIPLET ZONELENS_CROSS_SYSROOT)

set(CMAKE_C_COMPILER ${ZONELENS_CROSS_TRIPLET}-gcc-12)
set(CMAKE_CXX_COMPILER ${ZONELENS_CROSS_TRIPLET}-g++-12)
# Debian's multiarch directories (usr/lib/TRIPLET) of the unpacked packages
set(CMAKE_LIBRARY_ARCHITECTURE ${ZONELENS_CROSS_TRIPLET})

set(CMAKE_FIND_ROOT_PATH "${ZONELENS_CROSS_SYSROOT}" "/usr/${ZONELENS_CROSS_TRIPLET}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# the host's pkg-config reads only the sysroot's .pc files (numa.pc) and prefixes their paths
set(ENV{PKG_CONFIG_LIBDIR}
    "${ZONELENS_CROSS_SYSROOT}/usr/lib/${ZONELENS_CROSS_TRIPLET}/pkgconfig:${ZONELENS_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${ZONELENS_CROSS_SYSROOT}")
