/*
 * parse_json.h: string values out of a JSON document (layer 1, like
 * parse.h): what procnet reads of container runtimes' state files
 * (docker's config.v2.json, an OCI config.json's annotations, podman's
 * containers.json). Not a general JSON library: it walks the text once,
 * skipping what it was not asked for, and copies out one string.
 *
 * Conventions as in parse.h: bytes and a length, no NUL needed. A value is
 * copied with its escapes undone (\" \\ \/ \b \f \n \r \t \uXXXX, surrogate
 * pairs into UTF-8) into out, NUL-terminated. Nesting deeper than 64 levels
 * is refused (malformed), so hostile input cannot exhaust the stack.
 */
#ifndef PROCNET_PARSE_JSON_H
#define PROCNET_PARSE_JSON_H

#include <stddef.h>

/* The string at path[0].path[1]...path[n-1] (member names, from the
 * top-level object), copied into out (cap bytes with the NUL). Returns its
 * length, or -1 when the document is malformed up to it, a member is
 * missing or not an object / a string, or the value (without its escapes)
 * does not fit in cap - 1 bytes or holds a NUL. The first member of a name
 * is the one used. */
int pn_json_string(const char *buf, size_t len, const char *const *path,
                   int n, char *out, size_t cap);

/* A top-level array of objects: the first element whose string member
 * `key` equals `value`; its member `want` when that is a string, or the
 * first string of it when it is an array, copied as above. */
int pn_json_array_lookup(const char *buf, size_t len, const char *key,
                         const char *value, const char *want, char *out,
                         size_t cap);

#endif
