"""Child process for the start-up benchmarks: run one app headless and report when its
first frame reaches the (headless) terminal.

Usage: python bench/_first_frame.py {bare|desk|demo} [--db PATH] [--agent NAME]

The parent records the wall-clock time just before it starts this process; this child
prints the wall-clock time of the first call to ``App._display`` (the moment Textual
writes a frame to its driver) and exits. The app under test is built exactly as the
``agentdesk`` command builds it.
"""

import time  # first: nothing else is imported before the app's own imports

import json
import sys


def _instrument(app_cls):
    original = app_cls._display
    state = {"done": False}

    def _display(self, screen, renderable):
        original(self, screen, renderable)
        if not state["done"] and renderable is not None:
            state["done"] = True
            print(json.dumps({"first_frame_at": time.time()}), flush=True)
            self.call_later(self.exit)

    app_cls._display = _display


def main() -> None:
    kind = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    if kind == "bare":
        from textual.app import App
        from textual.widgets import Footer, Header, Static

        class Bare(App):
            def compose(self):
                yield Header()
                yield Static("hello")
                yield Footer()

        _instrument(App)
        Bare().run(headless=True, size=(80, 24))
        return

    import agentdesk.cli  # noqa: F401  (the same imports the console script pays for)
    from agentdesk.app import AgentDeskApp, StartOptions
    from agentdesk.config import load_settings

    _instrument(AgentDeskApp)
    settings = load_settings()
    if kind == "demo":
        from pathlib import Path

        from agentdesk.demo import demo_start_options

        options = demo_start_options(Path(args["--db"]), reset=False, rate=0.0, seed=None)
    else:
        options = StartOptions(db=args["--db"], agent=args.get("--agent", "alice"))
    AgentDeskApp(settings, options).run(headless=True, size=(80, 24))


if __name__ == "__main__":
    main()
