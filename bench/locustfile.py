"""Locust users of ``make bench``: each picks, again and again without pause, one of the
targets listed in ``BENCH_TARGETS`` (a JSON file: path, session cookies, name), on the
host given by ``--host`` (always 127.0.0.1). Started headless by bench/bench_platform.py,
bounded in users and duration on its command line."""

import json
import os
import random

from locust import HttpUser, constant, task

with open(os.environ["BENCH_TARGETS"], encoding="utf-8") as source:
    TARGETS = json.load(source)


class PageUser(HttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        target = random.choice(TARGETS)
        with self.client.get(
            target["path"],
            cookies=target["cookies"],
            name=target["name"],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
