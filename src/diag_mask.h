/*
 * diag_mask.h - the masking gate for the library's own diagnostics
 * (diag.c masks every line through it before writing it).
 */
#ifndef LOG4C_OTEL_DIAG_MASK_H
#define LOG4C_OTEL_DIAG_MASK_H

#include "filter.h"

#include <stddef.h>

/* The rules diagnostics are masked under: the loaded, valid
 * configuration's (kept for the life of the process); NULL: none, lines
 * pass as they are. Any thread. */
void otel_diag_mask_set_rules(const otel_filter_set *rules);

/* Masks the NUL-terminated line in place (at most cap bytes with the
 * NUL). Any thread; no lock. */
void otel_diag_mask_line(char *line, size_t cap);

/* Masks in[0..len) whole, then writes at most outlen - 1 bytes of the
 * result to out (cut at a character boundary, NUL-terminated): text from
 * outside (a collector's answer) is cut to fit a diagnostic only after
 * masking, so a cut never leaves part of a secret the rules would have
 * matched whole. A placeholder when it could not be masked. Any thread. */
void otel_diag_mask_cut(const char *in, size_t len, char *out, size_t outlen);

#endif
