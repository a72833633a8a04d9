"""Writes stories.jsonl: the demo's sample stories, all invented for wirestream (no published articles).

Run `python deploy/samples/make_samples.py` after editing; the JSONL is committed so the demo needs no step.
"""

import json
from pathlib import Path

HARBOR = (
    "Home | World | Business | Sport\n"
    "Breaking News\n"
    "Port officials in Valmora reopened the northern harbor on Tuesday after a three-day closure caused by a "
    "chemical spill near the container terminal.\n\n"
    "\u201cThe water samples taken this morning are clean, and ships can dock again,\u201d said Marta Lindqvist, "
    "the director of the Valmora Port Authority. \u201cWe will keep testing every six hours until the end of "
    "the month.\u201d\n\n"
    "Lindqvist said that about 40 vessels had waited offshore during the closure, and that the backlog should "
    "clear by Friday.\n\n"
    "Environmental groups were less convinced. Tomas Brandt, a spokesman for the coastal group Blue Shore, "
    "called the reopening a \u201creckless gamble\u201d and asked for an independent inquiry.\n\n"
    "\u201cNobody has told us what was in those tanks,\u201d he said.\n\n"
    "Share this article\n"
    "Subscribe to our newsletter"
)

HARBOR_UPDATE_EXTRA = (
    "\n\nLate on Tuesday, the regional government announced that an independent inquiry would begin next week. "
    "\u201cWe owe the people of Valmora a full account,\u201d Governor Elena Ruiz told reporters."
)

BUS = (
    "The Harlow city council voted 31 to 9 on Monday to fund a night bus network that will run seven "
    "days a week from next spring.\n\n"
    "Deputy Mayor Samuel Okafor said the new lines would serve hospital workers, cleaners and students "
    "who finish late. \u201cFor years, people who keep this city running at night have walked home in "
    "the dark,\u201d Okafor said.\n\n"
    "The opposition leader, Claire Whitmore, said the plan was too expensive and warned that fares "
    "would rise. According to Whitmore, the council has not explained how it will pay for the drivers.\n\n"
    "The network will cost about 12 million euros a year."
)

STORIES = [
    {
        "id": "ws-0001",
        "source": "Northwire",
        "headline": "Valmora harbor reopens after chemical spill",
        "published_at": "2026-11-24T08:00:00Z",
        "url": "https://example.org/northwire/ws-0001",
        "body": HARBOR,
    },
    {
        "id": "ws-0002",
        "source": "Northwire",
        "headline": "City council approves night bus network",
        "published_at": "2026-11-24T08:10:00Z",
        "body": (BUS),
    },
    {
        "id": "ws-0003",
        "source": "Agence Lumière",
        "headline": "Grève des contrôleurs aériens à Lyon",
        "published_at": "2026-11-24T08:20:00Z",
        "language": "fr",
        "body": (
            "Les contrôleurs aériens de l'aéroport de Lyon ont entamé mardi une grève de deux jours pour "
            "protester contre la réduction des effectifs.\n\n"
            "\u00ab Nous ne pouvons plus garantir la sécurité avec si peu de personnel \u00bb, a déclaré Julien "
            "Marchand, représentant du syndicat des contrôleurs.\n\n"
            "Selon la direction de l'aéroport, environ 120 vols ont été annulés dans la matinée. La ministre des "
            "Transports, Sophie Garnier, a appelé les deux parties à reprendre le dialogue."
        ),
    },
    {
        "id": "ws-0004",
        "source": "Northwire",
        "headline": "Storm cuts power to thousands in the north",
        "published_at": "2026-11-24T09:00:00Z",
        "body": (
            "A winter storm brought down power lines across the northern provinces overnight, leaving about "
            "35,000 homes without electricity on Wednesday morning.\n\n"
            "Photo: Repair crews work on a fallen line near Eastbrook.\n\n"
            "Photo: Repair crews work on a fallen line near Eastbrook.\n\n"
            "The grid operator said most customers would be reconnected by the evening. \u201cOur teams have "
            "been out since 2 a.m.,\u201d said Priya Natarajan, a spokeswoman for the operator. \u201cThe worst "
            "damage is in the hills, where the roads are still closed.\u201d\n\n"
            "Schools in Eastbrook and Millford stayed closed."
        ),
    },
    {
        "id": "ws-0005",
        "source": "Agence Lumière",
        "headline": "Un nouveau musée ouvre ses portes à Bordeaux",
        "published_at": "2026-11-24T09:30:00Z",
        "body": (
            "Le musée des arts de la mer a ouvert ses portes samedi à Bordeaux, après six ans de travaux.\n\n"
            "\u00ab C'est un lieu pour tous les publics, et l'entrée sera gratuite le premier dimanche du "
            "mois \u00bb, a expliqué sa directrice, Camille Roussel.\n\n"
            "Le maire de Bordeaux, Antoine Lefèvre, a salué un projet qui doit attirer 300 000 visiteurs par an."
        ),
    },
    {
        # the harbor story redelivered by an aggregator: other id, other site chrome, same text
        "id": "agg-77812",
        "source": "Newsfeed Hub",
        "headline": "Valmora harbor reopens after chemical spill",
        "published_at": "2026-11-24T10:05:00Z",
        "body": HARBOR.replace("Home | World | Business | Sport\nBreaking News\n", "Menu\nLatest\n").replace(
            "Share this article\nSubscribe to our newsletter", "Follow us on social media"
        ),
    },
    {
        # a write-thru of ws-0001: same id, higher version, a paragraph added
        "id": "ws-0001",
        "version": 2,
        "source": "Northwire",
        "headline": "Valmora harbor reopens; inquiry announced",
        "published_at": "2026-11-24T18:00:00Z",
        "body": HARBOR + HARBOR_UPDATE_EXTRA,
    },
    {
        "id": "ws-0002",
        "version": 2,
        "source": "Northwire",
        "headline": "CORRECTED: City council approves night bus network",
        "published_at": "2026-11-24T12:00:00Z",
        "body": (
            "Correction: An earlier version of this story gave the wrong vote count. "
            "The council voted 29 to 11.\n\n" + BUS.replace("31 to 9", "29 to 11")
        ),
    },
    {
        "id": "ws-0006",
        "source": "Northwire",
        "headline": "Flash: central bank holds rates",
        "published_at": "2026-11-24T13:00:00Z",
        "body": "The central bank of Norland kept its main interest rate at 3.25 percent on Thursday.",
    },
]

BAD_LINE = '{"id": "ws-broken", "body": '  # a truncated message: shows the dead-letter path


def main() -> None:
    out = Path(__file__).with_name("stories.jsonl")
    lines = [json.dumps(s, ensure_ascii=False) for s in STORIES]
    lines.insert(7, BAD_LINE)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines to {out}")


if __name__ == "__main__":
    main()
