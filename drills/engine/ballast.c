/* Fault helper for the drill's `oom` fault, preloaded (LD_PRELOAD) into the AOT service by
 * the oom image variant: the service's own code is untouched. On SIGUSR2 a thread allocates
 * and touches memory, 1 MiB at a time, until the container's memory limit has the kernel
 * kill the process; it stops at FUSE_HARNESS_BALLAST_MAX_MB (default 512) so a container
 * without a limit cannot take the host down. */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sem_t go;

static void on_usr2(int sig) {
    (void)sig;
    sem_post(&go); /* async-signal-safe */
}

static void *grow(void *arg) {
    (void)arg;
    const char *cap = getenv("FUSE_HARNESS_BALLAST_MAX_MB");
    long max_mb = cap ? atol(cap) : 512;
    while (sem_wait(&go) != 0) {
    }
    for (long mb = 0; mb < max_mb; mb++) {
        char *block = malloc(1 << 20);
        if (block) memset(block, 0x5a, 1 << 20);
    }
    for (;;) pause();
    return NULL;
}

__attribute__((constructor)) static void ballast_init(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sem_init(&go, 0, 0);
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, grow, NULL) == 0) pthread_detach(thread);
}
