"""Process start time, recorded as early as possible so start-up can be measured.

Imported first by ``agentdesk.cli`` (the pattern of posting's ``_start_time.py``).
"""

import time

START_TIME = time.perf_counter()
