"""Load: managers and planners working at once against gunicorn (issue 13, item 5).

A firm made by make_firm.py, served as the operator guide says, then locust headless:

    EXPO_DATABASE_URL=… EXPO_SECRET_KEY=… EXPO_LOGIN_LIMIT_ADDRESS="1000 per 15 minutes" \\
        .venv/bin/gunicorn -w 4 -b 127.0.0.1:8000 'wsgi:app' &
    .venv/bin/locust -f bench/load.py --headless -u 20 -r 5 -t 120s -H http://127.0.0.1:8000 --csv /tmp/load

(``pip install -e '.[bench]'`` brings locust and gunicorn.) Three managers in four users, the rest
planners; each logs in through the form once, then opens the pages of their day with a second of
thought between them. Every answer but 200 is a failure. The login limit is raised for the run
only: twenty people behind one address log in at once.
"""
from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "demo"  # expo.core.demo.DEMO_PASSWORD; not imported, so locust needs no app on its side
MANAGERS = [f"manager{i}@demo-expo.ru" for i in range(1, 11)]
CARD = re.compile(r'href="/clients/(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)"[^>]* rel="next"')
BOARD = re.compile(r'href="/exhibitions/(\d+)"')


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    email = ""

    def on_start(self) -> None:
        page = self.client.get("/login", name="login page").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        with self.client.post("/login", data={"email": self.email, "password": PASSWORD, "csrf_token": token},
                              allow_redirects=False, name="log in", catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"{self.email} could not log in: {answer.status_code}")
        self.cards: list[str] = []
        self.boards: list[str] = []

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{url}: {answer.status_code}")
            return answer.text or ""

    @task(3)
    def client_list(self) -> None:
        sort = random.choice(["", "-name", "region", "-created_at", "category"])
        html = self.page(f"/clients/?sort={sort}" if sort else "/clients/", "/clients/ (a sort)")
        self.cards = CARD.findall(html) or self.cards
        further = NEXT.search(html)
        if further:
            self.page(further.group(1).replace("&amp;", "&"), "/clients/ (next page)")

    @task(2)
    def card(self) -> None:
        if self.cards:
            self.page(f"/clients/{random.choice(self.cards)}", "/clients/<id>")

    @task(1)
    def search(self) -> None:
        self.page(f"/clients/?q={random.choice(['центр', 'строй', 'тех', 'ооо', 'пром'])}", "/clients/?q=")

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(1)
    def exhibitions(self) -> None:
        html = self.page("/exhibitions/", "/exhibitions/")
        self.boards = BOARD.findall(html) or self.boards
        if self.boards:
            self.page(f"/exhibitions/{random.choice(self.boards)}", "/exhibitions/<id> (board)")


class Manager(Person):
    weight = 3

    def on_start(self) -> None:
        self.email = random.choice(MANAGERS)
        super().on_start()

    @task(2)
    def my_tasks(self) -> None:
        self.page("/tasks", "/tasks")


class Planner(Person):
    weight = 1
    email = "planner@demo-expo.ru"

    @task(1)
    def funnel(self) -> None:
        self.page("/funnel/", "/funnel/")
        self.page("/funnel/managers", "/funnel/managers")

    @task(1)
    def reports(self) -> None:
        self.page("/reports/", "/reports/")
