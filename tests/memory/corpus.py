"""A small labelled retrieval set written for the tests: 32 short documents of a made-up
company's notes, and 24 questions, each with the document that answers it.

The questions are phrased the way a person asks, not copied from the documents, so
a keyword match alone misses some of them.
"""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {
    "backups.md": "The production database is copied every night at 02:00 to an offsite "
    "bucket. Copies are kept for 35 days. The ops team tests a full restore on the first "
    "Monday of every month.",
    "vacation.md": "Employees get 25 days of paid leave per year. Unused days carry over "
    "until the end of March, then they expire. Book time off in the HR portal two weeks "
    "ahead.",
    "expenses.md": "Travel costs are reimbursed within 30 days. Submit receipts through the "
    "finance app; meals abroad are covered up to 60 euros a day.",
    "release.md": "To ship a new version, update the changelog, tag the commit with the "
    "version number and run make release. The pipeline publishes the wheel to the package "
    "index.",
    "oncall.md": "One engineer is on call each week, Monday to Monday. Pages go to the phone "
    "app; acknowledge within 15 minutes or the page escalates to the team lead.",
    "wifi.md": "The guest wireless network is called Visitors and its password changes every "
    "Friday. Staff devices join the Corp network with their single sign-on account.",
    "parking.md": "The garage under building B has 40 spaces. Electric cars charge on level "
    "-2; a permit from reception is needed for overnight stays.",
    "security.md": "Report a lost laptop to the security desk at once: it is wiped remotely. "
    "Every laptop has full-disk encryption and a screen lock after five minutes.",
    "onboarding.md": "New hires receive their laptop on day one, meet their buddy, and finish "
    "the compliance training during the first week.",
    "coffee.md": "The espresso machine on the third floor is descaled every Thursday. Beans "
    "are ordered from a roaster in Lyon; oat milk is in the left fridge.",
    "api_limits.md": "The public API allows 600 requests per minute per key. Clients that go "
    "over receive HTTP 429 with a Retry-After header and should back off.",
    "logging.md": "Services write structured JSON logs to standard output. The collector "
    "keeps them for 14 days; errors are also sent to the alerting channel.",
    "code_review.md": "Every pull request needs one approving review and green CI before it "
    "is merged. Authors squash their commits and write a summary of the change.",
    "incidents.md": "After a major outage the incident owner writes a blameless postmortem "
    "within five working days, with a timeline, the root cause and follow-up actions.",
    "hiring.md": "Candidates do a phone screen, a take-home exercise and an on-site loop of "
    "four interviews. Feedback is entered within 24 hours of each interview.",
    "printers.md": "The printer near the kitchen prints in colour. If it jams, open tray 2 "
    "and pull the paper out gently; toner is in the supply room.",
    "meeting_rooms.md": "Rooms are booked in the calendar. The large room Atlas seats 20 and "
    "has a video system; cancel bookings you no longer need.",
    "fire_safety.md": "When the alarm sounds, leave by the nearest stairwell and gather at "
    "the assembly point in the park across the street. Never use the lifts.",
    "salary.md": "Salaries are paid on the 25th of each month. Payslips are in the HR portal; "
    "raises are reviewed once a year in January.",
    "remote_work.md": "Staff may work from home up to three days a week. Working abroad for "
    "more than 30 days needs approval from HR because of tax rules.",
    "dependencies.md": "Third-party libraries must have a compatible licence. Pin exact "
    "versions in the lock file and let the bot open weekly upgrade pull requests.",
    "data_retention.md": "Customer records are deleted 90 days after an account is closed, "
    "unless the law requires us to keep invoices, which are kept for ten years.",
    "passwords.md": "Use the company password manager for every shared secret. Passwords "
    "need at least 14 characters; two-factor authentication is mandatory.",
    "deploy_rollback.md": "If a deployment breaks production, roll back with the previous "
    "image tag from the deploy dashboard, then open an incident.",
    "gym.md": "The company pays half of a gym membership up to 30 euros a month. Claim it "
    "with the monthly receipt in the finance app.",
    "kitchen.md": "Label your food with your name and date. The fridges are emptied every "
    "Friday afternoon; anything left is thrown away.",
    "cloud_costs.md": "Each team has a monthly cloud budget. Idle virtual machines are shut "
    "down at night and tagged resources are billed to the owning team.",
    "accessibility.md": "Web pages must meet WCAG 2.2 AA: enough colour contrast, keyboard "
    "navigation, and text alternatives for images.",
    "mentoring.md": "Engineers can ask for a mentor from another team. Pairs meet every two "
    "weeks for six months and set goals in the first session.",
    "bike.md": "Bicycles can be parked in the locked room next to the garage entrance. There "
    "is a pump and basic tools on the wall.",
    "translations.md": "User interface strings live in the locales folder. Translators work "
    "in the localisation platform; new strings are synced every night.",
    "sick_leave.md": "If you are ill, tell your manager before 10:00. From the fourth day "
    "off a doctor's note is needed.",
}

QUERIES: list[tuple[str, set[str]]] = [
    ("How long do we keep database backups?", {"backups.md"}),
    ("When is a restore drill done?", {"backups.md"}),
    ("How many holidays do I get each year?", {"vacation.md"}),
    ("Do unused vacation days expire?", {"vacation.md"}),
    ("How do I get my money back for a business trip?", {"expenses.md"}),
    ("What are the steps to publish a new version of the library?", {"release.md"}),
    ("Who answers alerts during the night?", {"oncall.md"}),
    ("What is the password for the visitor wifi?", {"wifi.md"}),
    ("Where can I charge my electric car?", {"parking.md"}),
    ("I left my notebook computer on the train, what should I do?", {"security.md"}),
    ("What happens on my first day at the company?", {"onboarding.md"}),
    ("What is the rate limit of the public API?", {"api_limits.md"}),
    ("How long are service logs retained?", {"logging.md"}),
    ("What is needed before a pull request can be merged?", {"code_review.md"}),
    ("What do we write after a production outage?", {"incidents.md"}),
    ("What is the interview process for candidates?", {"hiring.md"}),
    ("The printer is stuck with paper, how do I fix it?", {"printers.md"}),
    ("Where do we meet when the building has to be evacuated?", {"fire_safety.md"}),
    ("On which day is pay day?", {"salary.md"}),
    ("Can I work from another country for two months?", {"remote_work.md"}),
    ("How do I undo a bad release in production?", {"deploy_rollback.md"}),
    ("Does the company contribute to fitness subscriptions?", {"gym.md"}),
    ("How long are invoices stored after a customer leaves?", {"data_retention.md"}),
    ("Where can I leave my bicycle?", {"bike.md"}),
]
