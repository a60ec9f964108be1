/*
 * app.h: the demo program, i.e. what `fuse build` would have compiled from
 * drills/standard/standin/app/src/main.fuse (or, in its database shape, from
 * drills/standard/standin/notes/). The AOT runner embeds it; `fuse run` "compiles" it.
 */
#ifndef FUSE_APP_H
#define FUSE_APP_H

#include <stddef.h>

#include "fuse_rt.h"

/* Run the app: serve when a port is configured, else the run-to-completion demo.
 * Returns 0 on success, -1 with `err` set for a runtime error; panics never return. */
int app_main(const char *runtime, rt_error *err);

/* app_db.c: the reference-service shape (a database that must be migrated). Set at
 * compile time for its AOT runner (STANDIN_DB_APP=1); `fuse` sets it per package. */
extern int app_db_mode;
const char *db_url(const rt_config *cfg);
int db_ready(const char *url, char *error, size_t error_len);
int db_migrate(const char *url, rt_error *err);
long db_likes(long id);

#endif
