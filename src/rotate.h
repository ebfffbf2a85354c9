/*
 * rotate.h - size rotation with numbered backups, the one routine behind
 * both file sinks (the JSON file exporter and the crash-safe line file):
 * <path>.1 is the newest backup, <path>.<backups> the oldest, and with
 * compression the backups are <path>.N.gz. Each caller decides when to
 * rotate and what to do around it (closing, locking, syncing, reopening).
 */
#ifndef LOG4C_OTEL_ROTATE_H
#define LOG4C_OTEL_ROTATE_H

/*
 * Moves path out of the way so that the caller can start it afresh:
 *   backups == 0: path is removed (a path already gone is not an error);
 *   otherwise <path>.<k> becomes <path>.<k+1> for k = backups-1 down to 1
 *   (a missing backup is skipped; the one renamed onto <path>.<backups>
 *   replaces the oldest), then path becomes <path>.1.
 * With gzip, backups carry ".gz" and path is compressed into <path>.1.gz
 * (mode 0600, written to a new <path>.1.gz.tmp and renamed) and removed;
 * when the compression fails (an existing <path>.1.gz.tmp, such as a
 * planted symbolic link, is never opened: it fails it and is removed), path
 * becomes an uncompressed <path>.1 instead, so no record is lost. A record is never in two files.
 *
 * Returns 0, or -1 with errno set at the first step that failed: nothing
 * after it is done, and when path itself was not moved it is still there,
 * so the caller can keep appending to it. Not thread-safe for one path:
 * callers serialise (the exporter has one writer, the line file a lock).
 */
int otel_rotate(const char *path, unsigned backups, int gzip);

#endif
