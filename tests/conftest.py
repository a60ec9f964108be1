"""Suite-wide set-up.

The Ctrl-C tests send SIGINT. A test run started in the background by a shell (`cmd &`)
inherits SIGINT ignored, which Python keeps and every child process inherits, so those
tests would test how the suite was launched instead of the tools. Restore the default.
"""

import signal

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
