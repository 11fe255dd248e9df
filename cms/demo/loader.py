"""Build the demo content (cms/demo/content.py) in the database.

Every object is looked up by a stable key (slug and locale, image title) before it is
created, so running the loader again changes nothing. Images are drawn locally with
Pillow. The whole load is one transaction; the search index is written once at the end,
in bulk, for exactly the objects the load saved (see `search_index_in_bulk`).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TextIO

from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from modelsearch import index as search_index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site
from wagtail.rich_text import RichText

from cms.models import (
    HomePage,
    Mission,
    MissionAgreement,
    MissionDelegate,
    NewsIndexPage,
    NewsPage,
    Organisation,
    Person,
    Place,
    Topic,
)

from . import content
from .content import (
    BARCELONA_MISSION,
    INTOSCANA_URL,
    ITEMS,
    ORGANISATIONS,
    PEOPLE,
    PLACES,
    REFERENCE_DATE,
    REFERENCE_MISSION,
    REFERENCE_MISSION_FACTS,
    REFERENCE_ORGANISATIONS_MET,
    REFERENCE_SLUG,
    REFERENCE_STORY,
    TOPICS,
    DemoItem,
)

# The size of the drawn cards; set on the Image so Wagtail need not decode the PNG for it.
CARD_SIZE = (1600, 900)


@contextmanager
def search_index_in_bulk() -> Iterator[None]:
    """Index what the block saves once, at its end, in one statement per model.

    Wagtail's search (modelsearch) indexes an object each time it is saved, a few queries
    each time, and the loader saves a page three or four times while creating and
    publishing it: a third of the load went there. Inside the block its post_save handler
    is swapped for one that only notes the saved objects; afterwards those (the same set
    the handler would have indexed) are indexed in bulk. The swap is process-wide, which
    is why only this management command does it. If the block raises, nothing is indexed:
    the load's transaction is rolled back anyway.
    """
    saved: dict[type, set] = defaultdict(set)

    def note_saved(sender, instance, raw=False, **kwargs):
        if not raw:
            saved[sender].add(instance.pk)

    swapped = [
        model
        for model in search_index.get_indexed_models()
        if post_save.disconnect(post_save_signal_handler, sender=model)
    ]
    for model in swapped:
        post_save.connect(note_saved, sender=model, weak=False)
    try:
        yield
    finally:
        for model in swapped:
            post_save.disconnect(note_saved, sender=model)
            post_save.connect(post_save_signal_handler, sender=model)
    to_index: dict[type, dict] = defaultdict(dict)
    for model, pks in saved.items():
        # get_indexed_objects() prefetches the related fields the index reads.
        found = list(model.get_indexed_objects().filter(pk__in=pks))
        # Saved through a parent class (a Page that is really a NewsPage): one by one.
        others = model._base_manager.filter(pk__in=pks - {obj.pk for obj in found})
        for obj in found + [search_index.get_indexed_instance(obj) for obj in others]:
            instance = obj and obj.get_indexed_instance()
            if instance is not None:
                to_index[type(instance)][instance.pk] = instance
    for backend in get_search_backends(with_auto_update=True):
        for model, objects in to_index.items():
            backend.add_bulk(model, list(objects.values()))


class Loader:
    def __init__(self, stdout: TextIO):
        self.stdout = stdout
        self.created = 0

    def note(self, message: str) -> None:
        self.stdout.write(message + "\n")

    def run(self) -> None:
        self.it = Locale.objects.get_or_create(language_code="it")[0]
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        self.home_it, self.index_it, self.index_en = self.site_tree()
        self.topics = self.load_topics()
        self.organisations = self.load_organisations()
        self.people = self.load_people()
        self.places = self.load_places()
        self.load_reference_story()
        self.load_barcelona_mission()
        for item in ITEMS:
            self.load_item(item)
        self.note(f"cms demo: {self.created} new objects.")

    # Site tree

    def site_tree(self) -> tuple[HomePage, NewsIndexPage, NewsIndexPage]:
        # Wagtail's migrations create both roots; a flushed database has neither.
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=self.it)
        )
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        home = HomePage.objects.filter(locale=self.it, depth=2).first()
        if home is None:
            self._remove_wagtail_welcome_page(root)
            home = root.add_child(instance=HomePage(locale=self.it, **content.HOME))
            self.created += 1
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(root_page=home, is_default_site=True, **content.SITE)
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = site.site_name or content.SITE["site_name"]
            site.save()
        index_slug = content.NEWS_INDEX["slug"]
        index_it = NewsIndexPage.objects.child_of(home).filter(slug=index_slug).first()
        if index_it is None:
            index_it = home.add_child(instance=NewsIndexPage(locale=self.it, **content.NEWS_INDEX))
            self.created += 1
        home_en = self._translate_page(home, **content.HOME_EN)
        index_en = self._translate_page(index_it, **content.NEWS_INDEX_EN)
        assert home_en is not None
        return home, index_it, index_en

    def _remove_wagtail_welcome_page(self, root: Page) -> None:
        """Wagtail's first migration leaves a plain "Welcome" page as the site root."""
        for page in root.get_children().filter(content_type__model="page", slug="home"):
            if page.specific_class is Page and page.numchild == 0:
                Site.objects.filter(root_page=page).delete()
                page.delete()

    def _translate_page(self, page: Page, **fields) -> Page:
        existing = page.get_translation_or_none(self.en)
        if existing is not None:
            return existing.specific
        translation = page.copy_for_translation(self.en)
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.save_revision().publish()
        self.created += 1
        return translation

    # Reference entities

    def _snippet(self, model, slug: str, locale: Locale, defaults: dict, source=None):
        obj = model.objects.filter(slug=slug, locale=locale).first()
        if obj is not None:
            return obj
        if source is not None:
            defaults = {**defaults, "translation_key": source.translation_key}
        obj = model.objects.create(slug=slug, locale=locale, **defaults)
        self.created += 1
        return obj

    def load_topics(self) -> dict[tuple[str, str], Topic]:
        topics = {}
        for slug, (name_it, name_en) in TOPICS.items():
            it = topics[slug, "it"] = self._snippet(Topic, slug, self.it, {"name": name_it})
            topics[slug, "en"] = self._snippet(Topic, slug, self.en, {"name": name_en}, it)
        return topics

    def load_organisations(self) -> dict[tuple[str, str], Organisation]:
        organisations = {}
        for slug, (name, kind, name_en) in ORGANISATIONS.items():
            it = organisations[slug, "it"] = self._snippet(
                Organisation, slug, self.it, {"name": name, "kind": kind}
            )
            organisations[slug, "en"] = self._snippet(
                Organisation, slug, self.en, {"name": name_en or name, "kind": kind}, it
            )
        return organisations

    def load_people(self) -> dict[tuple[str, str], Person]:
        people = {}
        for slug, (name, role_it, role_en, organisation) in PEOPLE.items():
            it = people[slug, "it"] = self._snippet(
                Person,
                slug,
                self.it,
                {
                    "name": name,
                    "role": role_it,
                    "organisation": self.organisations[organisation, "it"],
                },
            )
            people[slug, "en"] = self._snippet(
                Person,
                slug,
                self.en,
                {
                    "name": name,
                    "role": role_en,
                    "organisation": self.organisations[organisation, "en"],
                },
                it,
            )
        return people

    def load_places(self) -> dict[tuple[str, str], Place]:
        places = {}
        for slug, (
            name_it,
            name_en,
            city,
            region,
            country_it,
            country_en,
            lat,
            lon,
        ) in PLACES.items():
            common = {"city": city, "region": region, "latitude": lat, "longitude": lon}
            it = places[slug, "it"] = self._snippet(
                Place, slug, self.it, {"name": name_it, "country": country_it, **common}
            )
            places[slug, "en"] = self._snippet(
                Place, slug, self.en, {"name": name_en, "country": country_en, **common}, it
            )
        return places

    # Images

    def image(self, title: str, alt: str, colour: tuple[int, int, int]) -> Image:
        existing = Image.objects.filter(title=title).first()
        if existing is not None:
            return existing
        buffer = io.BytesIO()
        # Light compression: drawn cards compress well anyway, and it is 4× faster.
        draw_card(title, colour).save(buffer, format="PNG", compress_level=1)
        slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        width, height = CARD_SIZE
        image = Image(
            title=title,
            description=alt,
            file=ImageFile(buffer, name=f"{slug}.png"),
            width=width,
            height=height,
        )
        image.save()
        self.created += 1
        return image

    # Missions

    def load_mission(
        self,
        slug: str,
        locale: Locale,
        fields: dict,
        delegates: list[tuple[str, str]],
        organisations_met: list[str],
        agreements: list[dict],
        source: Mission | None = None,
    ) -> Mission:
        language = locale.language_code
        mission = Mission.objects.filter(slug=slug, locale=locale).first()
        if mission is not None:
            return mission
        mission = Mission(slug=slug, locale=locale, **fields)
        if source is not None:
            mission.translation_key = source.translation_key
        mission.delegates = [
            MissionDelegate(person=self.people[person, language], role=role)
            for person, role in delegates
        ]
        mission.agreements = [MissionAgreement(**agreement) for agreement in agreements]
        mission.organisations_met = [self.organisations[o, language] for o in organisations_met]
        mission.save()
        self.created += 1
        return mission

    def load_barcelona_mission(self) -> None:
        today = timezone.localdate()
        spec = BARCELONA_MISSION
        self.load_mission(
            spec["slug"],
            self.it,
            {
                "name": spec["name"],
                "destination": self.places[spec["destination"], "it"],
                "start_date": today - timedelta(days=spec["starts_days_ago"]),
                "end_date": today - timedelta(days=spec["ends_days_ago"]),
                "summary": spec["summary"],
                "outcomes": spec["outcomes"],
            },
            delegates=[],
            organisations_met=spec["organisations_met"],
            agreements=[],
        )

    # News

    def publish_news(
        self,
        index: NewsIndexPage,
        page: NewsPage,
        published: datetime,
        *,
        topics: list[Topic],
        organisations: list[Organisation],
        people: list[Person] = (),
        places: list[Place] = (),
    ) -> NewsPage:
        page.publication_date = published
        page.topics = topics
        page.organisations = organisations
        page.people = list(people)
        page.places = list(places)
        if page.pk is None:
            index.add_child(instance=page)
        page.save_revision().publish()
        # Demo items look as if they had been published on their date.
        NewsPage.objects.filter(pk=page.pk).update(
            first_published_at=published, last_published_at=published
        )
        self.created += 1
        return page

    def load_item(self, item: DemoItem) -> None:
        if NewsPage.objects.child_of(self.index_it).filter(slug=item.slug).exists():
            return
        published = (timezone.localtime() - timedelta(days=item.days_ago)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        hero = self.image(item.image_label, item.image_alt, item.colour)
        body: list[tuple[str, object]] = [
            ("paragraph", RichText(f"<p>{item.paragraphs[0]}</p>")),
        ]
        if item.key_figure:
            body.append(("key_figure", {"value": item.key_figure[0], "label": item.key_figure[1]}))
        body.extend(("paragraph", RichText(f"<p>{text}</p>")) for text in item.paragraphs[1:])
        page = NewsPage(
            title=item.title,
            slug=item.slug,
            locale=self.it,
            standfirst=item.standfirst,
            hero_image=hero,
            hero_alt=item.image_alt,
            hero_credit=content.IMAGE_CREDIT,
            body=body,
            mission=(
                Mission.objects.filter(slug=item.mission, locale=self.it).first()
                if item.mission
                else None
            ),
        )
        self.publish_news(
            self.index_it,
            page,
            published,
            topics=[self.topics[item.topic, "it"]],
            organisations=[self.organisations[o, "it"] for o in item.organisations],
            places=[self.places[p, "it"] for p in item.places],
        )

    def load_reference_story(self) -> None:
        story_it = NewsPage.objects.child_of(self.index_it).filter(slug=REFERENCE_SLUG).first()
        if story_it is None:
            story_it = self._reference_story_it()
        if story_it.get_translation_or_none(self.en) is None:
            self._reference_story_en(story_it)

    def _california_mission(self, language: str) -> Mission:
        locale = self.it if language == "it" else self.en
        source = None
        if language == "en":
            source = Mission.objects.get(slug=content.REFERENCE_MISSION_SLUG, locale=self.it)
        text = REFERENCE_MISSION[language]
        facts = REFERENCE_MISSION_FACTS
        return self.load_mission(
            content.REFERENCE_MISSION_SLUG,
            locale,
            {
                "name": text["name"],
                "destination": self.places[facts["destination"], language],
                "start_date": facts["start_date"],
                "end_date": facts["end_date"],
                "summary": text["summary"],
                "budget_amount": facts["budget_amount"],
                "budget_currency": facts["budget_currency"],
                "budget_purpose": text["budget_purpose"],
                "outcomes": text["outcomes"],
            },
            delegates=content.REFERENCE_DELEGATES,
            organisations_met=REFERENCE_ORGANISATIONS_MET,
            agreements=[
                {
                    "title": text["agreement_title"],
                    "signed_on": facts["agreement_signed_on"],
                    "parties": text["agreement_parties"],
                    "summary": text["agreement_summary"],
                }
            ],
            source=source,
        )

    def _reference_body(self, language: str, photo: Image) -> list[tuple[str, object]]:
        text = REFERENCE_STORY[language]
        return [
            ("paragraph", RichText(text["intro"])),
            ("key_figure", {"value": text["budget_value"], "label": text["budget_label"]}),
            ("paragraph", RichText(text["budget"])),
            (
                "quote",
                {
                    "text": text["quote"],
                    "attribution": text["quote_attribution"],
                    "role": text["quote_role"],
                },
            ),
            ("heading", {"text": text["delegation_heading"], "level": "h2"}),
            ("paragraph", RichText(text["delegation"])),
            ("key_figure", {"value": "400.000", "label": text["bosch_label"]}),
            ("heading", {"text": text["success_heading"], "level": "h2"}),
            ("paragraph", RichText(text["success"])),
            (
                "image",
                {
                    "image": photo,
                    "alt": text["photo_alt"],
                    "caption": text["photo_caption"],
                    "credit": content.IMAGE_CREDIT,
                },
            ),
            (
                "related_link",
                {
                    "label": text["related_label"],
                    "title": text["related_title"],
                    "page": None,
                    "url": INTOSCANA_URL,
                },
            ),
        ]

    def _reference_entities(self, language: str) -> dict:
        return {
            "topics": [self.topics[slug, language] for slug in content.REFERENCE_TOPICS],
            "organisations": [
                self.organisations[slug, language]
                for slug in content.REFERENCE_ORGANISATIONS_NAMED + REFERENCE_ORGANISATIONS_MET
            ],
            "people": [self.people[slug, language] for slug in PEOPLE],
            "places": [self.places[slug, language] for slug in content.REFERENCE_PLACES],
        }

    def _reference_images(self) -> tuple[Image, Image]:
        (hero_title, hero_colour), (photo_title, photo_colour) = (
            content.REFERENCE_HERO,
            content.REFERENCE_PHOTO,
        )
        hero = self.image(hero_title, REFERENCE_STORY["it"]["hero_alt"], hero_colour)
        photo = self.image(photo_title, REFERENCE_STORY["it"]["photo_alt"], photo_colour)
        return hero, photo

    def _reference_story_it(self) -> NewsPage:
        text = REFERENCE_STORY["it"]
        hero, photo = self._reference_images()
        page = NewsPage(
            title=text["title"],
            slug=REFERENCE_SLUG,
            locale=self.it,
            standfirst=text["standfirst"],
            hero_image=hero,
            hero_alt=text["hero_alt"],
            hero_caption=text["hero_caption"],
            hero_credit=content.IMAGE_CREDIT,
            body=self._reference_body("it", photo),
            mission=self._california_mission("it"),
            source_url=INTOSCANA_URL,
            source_label=text["source_label"],
        )
        return self.publish_news(
            self.index_it, page, REFERENCE_DATE, **self._reference_entities("it")
        )

    def _reference_story_en(self, story_it: NewsPage) -> NewsPage:
        text = REFERENCE_STORY["en"]
        _, photo = self._reference_images()
        mission = self._california_mission("en")
        page = story_it.copy_for_translation(self.en).specific
        page.title = text["title"]
        page.slug = REFERENCE_SLUG
        page.standfirst = text["standfirst"]
        page.hero_alt = text["hero_alt"]
        page.hero_caption = text["hero_caption"]
        page.body = self._reference_body("en", photo)
        page.mission = mission
        page.source_label = text["source_label"]
        return self.publish_news(
            self.index_en, page, REFERENCE_DATE, **self._reference_entities("en")
        )


def draw_card(label: str, colour: tuple[int, int, int]) -> PILImage.Image:
    """A 1600×900 card: a diagonal gradient from the colour to a darker shade, and a label."""
    width, height = CARD_SIZE
    card = PILImage.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(card)
    dark = tuple(int(c * 0.45) for c in colour)
    for y in range(0, height, 4):
        share = y / height
        shade = tuple(int(a + (b - a) * share) for a, b in zip(colour, dark, strict=True))
        draw.rectangle([0, y, width, y + 4], fill=shade)
    light = tuple(min(255, c + 60) for c in colour)
    draw.ellipse([width - 620, -220, width + 180, 580], outline=light, width=14)
    draw.ellipse([-260, height - 420, 380, height + 220], outline=light, width=10)
    font = ImageFont.load_default(size=84)
    draw.text((90, height - 230), label, fill=(255, 255, 255), font=font)
    return card


def load(stdout: TextIO) -> None:
    with transaction.atomic(), search_index_in_bulk():
        Loader(stdout).run()
