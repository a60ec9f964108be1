/*
 * app.h: the demo program, i.e. what `fuse build` would have compiled from
 * drills/standard/standin/app/src/main.fuse. The AOT runner embeds it; `fuse run` "compiles" it.
 */
#ifndef FUSE_APP_H
#define FUSE_APP_H

#include "fuse_rt.h"

/* Run the app: serve when a port is configured, else the run-to-completion demo.
 * Returns 0 on success, -1 with `err` set for a runtime error; panics never return. */
int app_main(const char *runtime, rt_error *err);

#endif
