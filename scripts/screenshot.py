"""Take docs/dashboard.png: a 1280x800 screenshot of the dashboard with believable data.

    python scripts/screenshot.py                      # docs/dashboard.png
    python scripts/screenshot.py --width 390 --height 844 --out docs/dashboard-phone.png
    python scripts/screenshot.py --path /agreements/3/ --out /tmp/sla.png --full-page

Loads the EcoShop demo (accord.web.demo) into a temporary SQLite database, starts
`accord serve` on a free port against it, signs in with Playwright driving Debian's
Chromium and saves the PNG.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def shoot(base: str, path: str, out: Path, user: str, password: str, full_page: bool,
          viewport: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport)
        page.goto(f"{base}/login/?{urllib.parse.urlencode({'next': path})}")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=full_page)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/")
    parser.add_argument("--out", default=str(ROOT / "docs" / "dashboard.png"))
    parser.add_argument("--user", default="sarah", help="a demo login (default: the SLM)")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (390: a phone)")
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")

    with tempfile.TemporaryDirectory(prefix="accord-shot-") as data_dir:
        env = {**os.environ, "ACCORD_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE":
               "accord.settings", "ACCORD_EMBEDDED_WORKER": "false", "LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.utils import timezone

        from accord.web import demo

        call_command("migrate", interactive=False, verbosity=0)
        demo.load(timezone.now())
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "accord.cli", "serve", "--port", str(port), "--no-migrate",
             "--no-worker"], env=env, cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/health")
            shoot(base, args.path, Path(args.out), args.user, demo.DEMO_PASSWORD, args.full_page,
                  {"width": args.width, "height": args.height})
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
