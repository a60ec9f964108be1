/*
 * The database half of the program's second shape, the one mirroring FUSE's
 * examples/reference-service: its notes live in a "database" that `fuse migrate` must
 * create before GET /api/public/notes answers 200. The database is a text file (one
 * `table <name>` line per migrated table), not SQLite: the drill only needs the states
 * "not configured", "not migrated" and "migrated", and the same file read by both backends.
 *
 * The URL is App.dbUrl (env APP_DB_URL or `[App] dbUrl`), else FUSE_DB_URL: `sqlite://<path>`
 * or `sqlite:<path>`, relative to the process CWD. The AOT runner reads its process env
 * only; `fuse run`/`fuse migrate` also read <pkg>/.env, so under AOT an unset FUSE_DB_URL is
 * a 500 while the fallback works: what a real drill of the reference service meets.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#ifndef STANDIN_DB_APP
#define STANDIN_DB_APP 0
#endif

int app_db_mode = STANDIN_DB_APP;

static const char NOTES_TABLE[] = "table notes";

const char *db_url(const rt_config *cfg) {
    const char *url = cfg != NULL ? rt_config_get(cfg, "App", "dbUrl") : getenv("APP_DB_URL");
    if (url == NULL || *url == '\0') url = getenv("FUSE_DB_URL");
    return url != NULL && *url != '\0' ? url : NULL;
}

/* The file behind a sqlite URL; -1 with the error text for any other scheme. */
static int db_path(const char *url, char *out, size_t len, char *error, size_t error_len) {
    const char *path = NULL;
    if (strncmp(url, "sqlite://", 9) == 0) {
        path = url + 9;
    } else if (strncmp(url, "sqlite:", 7) == 0) {
        path = url + 7;
    }
    if (path == NULL || *path == '\0') {
        snprintf(error, error_len, "unsupported db url %s (expected sqlite://<path>)", url);
        return -1;
    }
    snprintf(out, len, "%s", path);
    return 0;
}

/* 1 when the notes table exists, 0 when not, -1 (error set) when the file cannot be read. */
static int has_notes_table(const char *url, char *error, size_t error_len) {
    char path[4096];
    if (db_path(url, path, sizeof path, error, error_len) != 0) return -1;
    FILE *f = fopen(path, "r");
    if (f == NULL) return errno == ENOENT ? 0 : (snprintf(error, error_len, "%s: %s", path,
                                                          strerror(errno)), -1);
    char line[256];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        found = strcmp(line, NOTES_TABLE) == 0;
    }
    fclose(f);
    return found;
}

/* 0 when GET /api/public/notes may answer, else -1 with the 500's message. */
int db_ready(const char *url, char *error, size_t error_len) {
    if (url == NULL) {
        snprintf(error, error_len, "db url not configured (set FUSE_DB_URL or App.dbUrl)");
        return -1;
    }
    int found = has_notes_table(url, error, error_len);
    if (found == 0) snprintf(error, error_len, "no such table: notes");
    return found == 1 ? 0 : -1;
}

/* A note's "likes" is log-scaled from its id: the program uses libm, as real AOT builds do. */
long db_likes(long id) { return lround(log1p((double)id) * 10.0); }

int db_migrate(const char *url, rt_error *err) {
    char path[4096];
    if (url == NULL) {
        snprintf(err->message, sizeof err->message,
                 "db url not configured (set FUSE_DB_URL or App.dbUrl)");
        return -1;
    }
    if (db_path(url, path, sizeof path, err->message, sizeof err->message) != 0) return -1;
    int found = has_notes_table(url, err->message, sizeof err->message);
    if (found < 0) return -1;
    if (found == 1) {
        fputs("[migrate] up to date\n", stderr);
        return 0;
    }
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "table __fuse_migrations\ntable notes\n");
    int bad = fclose(f) != 0;
    if (bad) snprintf(err->message, sizeof err->message, "%s: write failed", path);
    else fputs("[migrate] applied 001_create_notes\n", stderr);
    return bad ? -1 : 0;
}
