#!/bin/sh
# Writes one of the CMake package files (cmake/*.cmake.in) for the
# configured directories:
#
#   generate-config.sh TEMPLATE OUTPUT PREFIX LIBDIR INCLUDEDIR VERSION \
#                      SIZEOF_VOID_P LOG4C_INCLUDEDIR LOG4C_LIBDIR
#
# (the directories fully expanded, as make gives them). When LIBDIR and
# INCLUDEDIR lie under PREFIX, the configuration finds them relative to its
# own place, LIBDIR/cmake/log4c-otel, so it keeps working when the
# installation is staged (DESTDIR) or unpacked elsewhere; otherwise it uses
# them as configured.
set -eu
[ $# -eq 9 ] || { echo "usage: $0 TEMPLATE OUTPUT PREFIX LIBDIR INCLUDEDIR VERSION SIZEOF_VOID_P LOG4C_INCLUDEDIR LOG4C_LIBDIR" >&2; exit 2; }
template=$1 output=$2 prefix=$3 libdir=$4 includedir=$5 version=$6 sizeof_void_p=$7 log4c_incdir=$8 log4c_libdir=$9

# strip trailing slashes ("/" stays "/")
trim() { printf '%s\n' "$1" | sed -e 's|//*$||' -e 's|^$|/|'; }
prefix=$(trim "$prefix") libdir=$(trim "$libdir") includedir=$(trim "$includedir")

# below PREFIX DIR: print DIR relative to PREFIX, or fail
below() {
  case $1 in
    /) rel=${2#/} ;;
    *) case $2 in "$1"/*) rel=${2#"$1"/} ;; *) return 1 ;; esac ;;
  esac
  printf '%s\n' "$rel"
}

cmakedir="$libdir/cmake/log4c-otel"
if lib_rel=$(below "$prefix" "$libdir") && inc_rel=$(below "$prefix" "$includedir"); then
  # one ".." per component of LIBDIR/cmake/log4c-otel below PREFIX
  up=$(printf '%s\n' "$lib_rel/cmake/log4c-otel" | sed -e 's|[^/][^/]*|..|g')
  libdir_expr="\${_log4c_otel_prefix}/$lib_rel"
  incdir_expr="\${_log4c_otel_prefix}/$inc_rel"
else
  up=.
  libdir_expr=$libdir
  incdir_expr=$includedir
fi

# sed replacement text: escape \, | and &
esc() { printf '%s\n' "$1" | sed -e 's/[\\|&]/\\&/g'; }
sed -e "s|@CONFIGURED_CMAKE_DIR@|$(esc "$cmakedir")|g" \
    -e "s|@CMAKE_DIR_TO_PREFIX@|$(esc "$up")|g" \
    -e "s|@LIBDIR_FROM_PREFIX@|$(esc "$libdir_expr")|g" \
    -e "s|@INCLUDEDIR_FROM_PREFIX@|$(esc "$incdir_expr")|g" \
    -e "s|@PACKAGE_VERSION@|$(esc "$version")|g" \
    -e "s|@SIZEOF_VOID_P@|$(esc "$sizeof_void_p")|g" \
    -e "s|@LOG4C_INCLUDEDIR@|$(esc "$log4c_incdir")|g" \
    -e "s|@LOG4C_LIBDIR@|$(esc "$log4c_libdir")|g" \
    "$template" >"$output.tmp"
if grep -n '@[A-Z_]*@' "$output.tmp" >&2; then
  echo "$0: unreplaced placeholders in $output" >&2
  rm -f "$output.tmp"
  exit 1
fi
mv "$output.tmp" "$output"
