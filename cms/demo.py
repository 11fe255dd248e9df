"""Demo content: the site tree, the reference story in Italian and English, and
a few weeks of news so the API, feeds and newsletters have something to show.

Every object is looked up by a stable key (slug and locale, image title) before
it is created, so running the loader again changes nothing. Images are drawn
locally with Pillow.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO
from zoneinfo import ZoneInfo

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
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
    OrganisationKind,
    Person,
    Place,
    Topic,
)

ROME = ZoneInfo("Europe/Rome")
REFERENCE_SLUG = "toscana-san-francisco-accordo-innovazione"
INTOSCANA_URL = "https://www.intoscana.it/"


# --- Reference entities ------------------------------------------------------

TOPICS = {
    # slug: (Italian name, English name)
    "innovazione": ("Innovazione", "Innovation"),
    "startup": ("Startup", "Startups"),
    "ricerca": ("Ricerca", "Research"),
    "bandi": ("Bandi e finanziamenti", "Funding calls"),
    "missioni": ("Missioni internazionali", "International missions"),
}

ORGANISATIONS = {
    # slug: (name, kind, English name or None when the name does not change)
    "regione-toscana": ("Regione Toscana", OrganisationKind.INSTITUTION, "Region of Tuscany"),
    "consiglio-regionale-toscana": (
        "Consiglio regionale della Toscana",
        OrganisationKind.INSTITUTION,
        "Regional Council of Tuscany",
    ),
    "consolato-generale-san-francisco": (
        "Consolato generale d'Italia a San Francisco",
        OrganisationKind.CONSULATE,
        "Consulate General of Italy in San Francisco",
    ),
    "casa-toscana": ("Casa Toscana", OrganisationKind.OTHER, None),
    "innovit": ("Innovit", OrganisationKind.OTHER, None),
    "comites-san-francisco": (
        "Comitato degli italiani all'estero di San Francisco",
        OrganisationKind.ASSOCIATION,
        "Committee of Italians Abroad of San Francisco",
    ),
    "meta": ("Meta", OrganisationKind.COMPANY, None),
    "bosch": ("Bosch", OrganisationKind.COMPANY, None),
    "nvidia": ("Nvidia", OrganisationKind.COMPANY, None),
    "stanford-university": ("Stanford University", OrganisationKind.UNIVERSITY, None),
    "uc-berkeley": ("University of California, Berkeley", OrganisationKind.UNIVERSITY, None),
    "berkeley-skydeck": ("Berkeley SkyDeck", OrganisationKind.ACCELERATOR, None),
    "dorian-therapeutics": ("Dorian Therapeutics", OrganisationKind.STARTUP, None),
    # Invented for the other demo items.
    "lumen-photonics": ("Lumen Photonics", OrganisationKind.STARTUP, None),
    "agrisense": ("AgriSense", OrganisationKind.STARTUP, None),
    "polo-tecnologico-arno": ("Polo tecnologico dell'Arno", OrganisationKind.ACCELERATOR, None),
    "fondazione-ricerca-toscana": (
        "Fondazione per la ricerca toscana",
        OrganisationKind.ASSOCIATION,
        "Tuscan Research Foundation",
    ),
}

PEOPLE = {
    # slug: (name, Italian role, English role, organisation slug)
    "leonardo-marras": (
        "Leonardo Marras",
        "assessore regionale all'economia e al turismo",
        "regional minister for the economy and tourism",
        "regione-toscana",
    ),
    "antonio-mazzeo": (
        "Antonio Mazzeo",
        "presidente del Consiglio regionale",
        "president of the regional council",
        "consiglio-regionale-toscana",
    ),
    "valentina-mercanti": (
        "Valentina Mercanti",
        "consigliera regionale",
        "regional councillor",
        "consiglio-regionale-toscana",
    ),
    "gabriele-veneri": (
        "Gabriele Veneri",
        "consigliere regionale",
        "regional councillor",
        "consiglio-regionale-toscana",
    ),
    "maddalena-adorno": (
        "Maddalena Adorno",
        "cofondatrice di Dorian Therapeutics",
        "co-founder of Dorian Therapeutics",
        "dorian-therapeutics",
    ),
    "benedetta-di-robilant": (
        "Benedetta Di Robilant",
        "cofondatrice di Dorian Therapeutics",
        "co-founder of Dorian Therapeutics",
        "dorian-therapeutics",
    ),
}

PLACES = {
    # slug: (Italian name, English name, city, region, Italian country, English country, lat, lon)
    "san-francisco": (
        "San Francisco",
        "San Francisco",
        "San Francisco",
        "California",
        "Stati Uniti",
        "United States",
        "37.774900",
        "-122.419400",
    ),
    "siena": ("Siena", "Siena", "Siena", "Toscana", "Italia", "Italy", "43.318800", "11.330800"),
    "firenze": (
        "Firenze",
        "Florence",
        "Firenze",
        "Toscana",
        "Italia",
        "Italy",
        "43.769600",
        "11.255800",
    ),
    "pisa": ("Pisa", "Pisa", "Pisa", "Toscana", "Italia", "Italy", "43.716800", "10.396600"),
    "barcellona": (
        "Barcellona",
        "Barcelona",
        "Barcelona",
        "Catalogna",
        "Spagna",
        "Spain",
        "41.387400",
        "2.168600",
    ),
}


# --- News items --------------------------------------------------------------


@dataclass
class DemoItem:
    slug: str
    title: str
    standfirst: str
    topic: str
    days_ago: int
    paragraphs: list[str]
    image_label: str
    image_alt: str
    colour: tuple[int, int, int]
    key_figure: tuple[str, str] | None = None
    organisations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    mission: str | None = None


ITEMS = [
    DemoItem(
        slug="bando-startup-innovative-2025",
        title="Nuovo bando per le startup innovative: contributi fino a 150.000 euro",
        standfirst="Le domande si presentano online fino alla fine del prossimo mese; premiati i progetti con ricadute occupazionali in Toscana.",
        topic="bandi",
        days_ago=2,
        paragraphs=[
            "Il bando finanzia progetti di sviluppo di nuovi prodotti e servizi ad alto contenuto tecnologico presentati da startup iscritte al registro delle imprese innovative.",
            "Il contributo copre fino al 70% delle spese ammissibili. Sono previsti punteggi aggiuntivi per le imprese guidate da giovani e da donne.",
        ],
        image_label="Bando startup",
        image_alt="Illustrazione astratta in toni verdi con la scritta «Bando startup».",
        colour=(46, 125, 50),
        key_figure=("150.000 €", "contributo massimo per progetto"),
        organisations=["regione-toscana"],
        places=["firenze"],
    ),
    DemoItem(
        slug="lumen-photonics-round-seed",
        title="Lumen Photonics chiude un round seed da 2 milioni",
        standfirst="La startup pisana dei sensori ottici userà i fondi per portare in produzione il primo dispositivo per l'industria alimentare.",
        topic="startup",
        days_ago=3,
        paragraphs=[
            "Nata da un gruppo di ricercatori in fotonica, Lumen Photonics sviluppa sensori che misurano la freschezza degli alimenti lungo la catena del freddo.",
            "Il round è guidato da un fondo di venture capital italiano, con la partecipazione di business angel del territorio.",
        ],
        image_label="Lumen Photonics",
        image_alt="Illustrazione astratta in toni blu con la scritta «Lumen Photonics».",
        colour=(21, 101, 192),
        key_figure=("2 milioni €", "raccolti nel round seed"),
        organisations=["lumen-photonics"],
        places=["pisa"],
    ),
    DemoItem(
        slug="laboratorio-idrogeno-verde",
        title="Un laboratorio condiviso per l'idrogeno verde",
        standfirst="Università e imprese lavoreranno insieme su elettrolizzatori più efficienti e sullo stoccaggio sicuro.",
        topic="ricerca",
        days_ago=5,
        paragraphs=[
            "Il laboratorio mette a disposizione di piccole e medie imprese strumenti di prova che da sole non potrebbero permettersi.",
            "I primi progetti riguardano la durata delle membrane e il recupero del calore prodotto dagli impianti.",
        ],
        image_label="Idrogeno verde",
        image_alt="Illustrazione astratta in toni turchese con la scritta «Idrogeno verde».",
        colour=(0, 131, 143),
        organisations=["fondazione-ricerca-toscana"],
        places=["pisa"],
    ),
    DemoItem(
        slug="missione-barcellona-smart-city",
        title="Dodici startup toscane in missione a Barcellona",
        standfirst="Una settimana di incontri con investitori e amministrazioni sulle tecnologie per le città intelligenti.",
        topic="missioni",
        days_ago=7,
        paragraphs=[
            "La delegazione ha presentato soluzioni per la mobilità, il risparmio energetico e la gestione dei rifiuti.",
            "Tre startup hanno avviato sperimentazioni con aziende municipalizzate catalane.",
        ],
        image_label="Missione a Barcellona",
        image_alt="Illustrazione astratta in toni arancio con la scritta «Missione a Barcellona».",
        colour=(230, 81, 0),
        key_figure=("12", "startup nella delegazione"),
        organisations=["regione-toscana", "polo-tecnologico-arno"],
        places=["barcellona"],
        mission="missione-barcellona-smart-city",
    ),
    DemoItem(
        slug="voucher-digitalizzazione-pmi",
        title="Voucher per la digitalizzazione delle piccole imprese",
        standfirst="Fino a 10.000 euro per consulenze su cloud, sicurezza informatica e commercio elettronico.",
        topic="bandi",
        days_ago=9,
        paragraphs=[
            "Possono partecipare le micro e piccole imprese con sede operativa in Toscana.",
            "Le domande vengono valutate in ordine di arrivo fino a esaurimento dei fondi.",
        ],
        image_label="Voucher digitali",
        image_alt="Illustrazione astratta in toni viola con la scritta «Voucher digitali».",
        colour=(106, 27, 154),
        key_figure=("10.000 €", "valore massimo di ogni voucher"),
        organisations=["regione-toscana"],
    ),
    DemoItem(
        slug="agrisense-sensori-vigneti",
        title="AgriSense porta i sensori nei vigneti del Chianti",
        standfirst="La startup misura umidità e temperatura del suolo per ridurre l'acqua usata nell'irrigazione.",
        topic="startup",
        days_ago=11,
        paragraphs=[
            "Dopo un anno di sperimentazione in venti aziende agricole, AgriSense stima un risparmio medio d'acqua del 30%.",
            "La piattaforma invia agli agricoltori un consiglio al giorno, direttamente sullo smartphone.",
        ],
        image_label="AgriSense",
        image_alt="Illustrazione astratta in toni verde oliva con la scritta «AgriSense».",
        colour=(85, 139, 47),
        key_figure=("30%", "acqua risparmiata in media"),
        organisations=["agrisense"],
        places=["siena"],
    ),
    DemoItem(
        slug="dottorati-industriali",
        title="Cinquanta borse per dottorati industriali",
        standfirst="I dottorandi divideranno il tempo tra università e impresa, su temi scelti insieme.",
        topic="ricerca",
        days_ago=13,
        paragraphs=[
            "Le borse coprono tre anni di ricerca su intelligenza artificiale, materiali avanzati, salute e transizione energetica.",
            "Le imprese partner cofinanziano una parte della borsa e ospitano il dottorando per almeno un anno.",
        ],
        image_label="Dottorati industriali",
        image_alt="Illustrazione astratta in toni blu notte con la scritta «Dottorati industriali».",
        colour=(40, 53, 147),
        key_figure=("50", "borse di dottorato"),
        organisations=["fondazione-ricerca-toscana"],
    ),
    DemoItem(
        slug="acceleratore-arno-call",
        title="L'acceleratore dell'Arno apre la nuova call",
        standfirst="Sei mesi di programma, uffici gratuiti e una giornata finale davanti agli investitori.",
        topic="startup",
        days_ago=15,
        paragraphs=[
            "La call è rivolta a team con un prototipo funzionante nei settori manifattura, turismo e cultura.",
            "Ogni startup selezionata avrà un mentore dedicato e accesso ai laboratori del polo tecnologico.",
        ],
        image_label="Call acceleratore",
        image_alt="Illustrazione astratta in toni rossi con la scritta «Call acceleratore».",
        colour=(198, 40, 40),
        key_figure=("6 mesi", "di accelerazione"),
        organisations=["polo-tecnologico-arno"],
        places=["firenze"],
    ),
    DemoItem(
        slug="intelligenza-artificiale-ospedali",
        title="Intelligenza artificiale per leggere le radiografie",
        standfirst="Un progetto di ricerca sperimenta un algoritmo che segnala ai radiologi le immagini da guardare per prime.",
        topic="ricerca",
        days_ago=17,
        paragraphs=[
            "L'algoritmo non sostituisce il medico: ordina le immagini per urgenza, così i casi gravi vengono letti prima.",
            "La sperimentazione coinvolge tre ospedali e durerà diciotto mesi.",
        ],
        image_label="IA in radiologia",
        image_alt="Illustrazione astratta in toni grigio azzurro con la scritta «IA in radiologia».",
        colour=(69, 90, 100),
        organisations=["fondazione-ricerca-toscana"],
        places=["firenze"],
    ),
    DemoItem(
        slug="fondo-venture-capital-regionale",
        title="Un fondo regionale di venture capital da 40 milioni",
        standfirst="Investirà in startup nelle prime fasi insieme a investitori privati, che dovranno mettere almeno la stessa cifra.",
        topic="bandi",
        days_ago=19,
        paragraphs=[
            "Il fondo entra nel capitale con quote di minoranza e per un periodo massimo di sette anni.",
            "Un comitato indipendente valuterà le proposte di investimento.",
        ],
        image_label="Fondo venture capital",
        image_alt="Illustrazione astratta in toni ocra con la scritta «Fondo venture capital».",
        colour=(249, 168, 37),
        key_figure=("40 milioni €", "dotazione del fondo"),
        organisations=["regione-toscana"],
    ),
    DemoItem(
        slug="missione-startup-bruxelles",
        title="Startup toscane a Bruxelles per i programmi europei",
        standfirst="Due giorni di incontri per capire come partecipare ai bandi europei per l'innovazione.",
        topic="missioni",
        days_ago=21,
        paragraphs=[
            "I partecipanti hanno incontrato funzionari europei e consulenti specializzati nella preparazione delle proposte.",
            "Il prossimo appuntamento sarà un laboratorio di scrittura dei progetti in Toscana.",
        ],
        image_label="Missione a Bruxelles",
        image_alt="Illustrazione astratta in toni blu e giallo con la scritta «Missione a Bruxelles».",
        colour=(13, 71, 161),
        organisations=["regione-toscana"],
    ),
    DemoItem(
        slug="materiali-riciclati-moda",
        title="Tessuti da fibre riciclate: la ricerca incontra il distretto di Prato",
        standfirst="Un consorzio di imprese e laboratori lavora a filati di qualità ottenuti da abiti usati.",
        topic="ricerca",
        days_ago=23,
        paragraphs=[
            "Il progetto punta a separare automaticamente le fibre dei tessuti misti, il passaggio oggi più costoso del riciclo.",
            "I primi campioni di filato saranno presentati alle aziende del distretto in primavera.",
        ],
        image_label="Tessuti riciclati",
        image_alt="Illustrazione astratta in toni rosa antico con la scritta «Tessuti riciclati».",
        colour=(173, 20, 87),
        organisations=["fondazione-ricerca-toscana"],
    ),
    DemoItem(
        slug="startup-turismo-accessibile",
        title="Un'app per il turismo accessibile vince il premio regionale",
        standfirst="Mappa musei, percorsi e ristoranti senza barriere, con recensioni scritte da persone con disabilità.",
        topic="startup",
        days_ago=26,
        paragraphs=[
            "Il premio comprende un contributo in denaro e un anno di accompagnamento da parte dell'acceleratore regionale.",
            "L'app è già disponibile per Firenze e Siena; entro l'anno arriveranno altre dieci città.",
        ],
        image_label="Turismo accessibile",
        image_alt="Illustrazione astratta in toni azzurri con la scritta «Turismo accessibile».",
        colour=(2, 136, 209),
        organisations=["polo-tecnologico-arno"],
        places=["firenze", "siena"],
    ),
    DemoItem(
        slug="bando-ricerca-industriale",
        title="Ricerca industriale: 20 milioni per progetti tra imprese e università",
        standfirst="Il bando premia i partenariati che portano i risultati della ricerca sul mercato entro tre anni.",
        topic="bandi",
        days_ago=29,
        paragraphs=[
            "Ogni progetto deve coinvolgere almeno un'impresa e un organismo di ricerca con sede in Toscana.",
            "Sono ammesse spese per personale, strumenti, brevetti e prove sul campo.",
        ],
        image_label="Ricerca industriale",
        image_alt="Illustrazione astratta in toni bruni con la scritta «Ricerca industriale».",
        colour=(93, 64, 55),
        key_figure=("20 milioni €", "risorse del bando"),
        organisations=["regione-toscana", "fondazione-ricerca-toscana"],
    ),
    DemoItem(
        slug="innovazione-borghi-connessi",
        title="Borghi connessi: la fibra arriva in trenta piccoli comuni",
        standfirst="La nuova rete apre la strada a telemedicina, lavoro a distanza e servizi digitali per i residenti.",
        topic="innovazione",
        days_ago=32,
        paragraphs=[
            "I lavori hanno riguardato comuni montani e collinari dove gli operatori privati non avevano investito.",
            "Per i prossimi mesi sono previsti corsi gratuiti di alfabetizzazione digitale.",
        ],
        image_label="Borghi connessi",
        image_alt="Illustrazione astratta in toni verde bosco con la scritta «Borghi connessi».",
        colour=(27, 94, 32),
        key_figure=("30", "comuni collegati"),
        organisations=["regione-toscana"],
    ),
    DemoItem(
        slug="open-innovation-manifattura",
        title="Open innovation: le grandi imprese cercano soluzioni dalle startup",
        standfirst="Sei aziende manifatturiere pubblicano le loro sfide tecnologiche; le startup hanno un mese per rispondere.",
        topic="innovazione",
        days_ago=36,
        paragraphs=[
            "Le sfide vanno dalla manutenzione predittiva delle macchine al controllo qualità con la visione artificiale.",
            "Le soluzioni migliori saranno sperimentate negli stabilimenti con un contratto pilota.",
        ],
        image_label="Open innovation",
        image_alt="Illustrazione astratta in toni indaco con la scritta «Open innovation».",
        colour=(48, 63, 159),
        organisations=["polo-tecnologico-arno", "lumen-photonics"],
    ),
]


# --- Loader ------------------------------------------------------------------


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
            home = root.add_child(
                instance=HomePage(
                    title="Notiziario",
                    slug="home",
                    locale=self.it,
                    intro="<p>Le notizie sull'innovazione in Toscana e nel mondo.</p>",
                )
            )
            self.created += 1
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                site_name="Notiziario",
                is_default_site=True,
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = site.site_name or "Notiziario"
            site.save()
        index_it = NewsIndexPage.objects.child_of(home).filter(slug="notizie").first()
        if index_it is None:
            index_it = home.add_child(
                instance=NewsIndexPage(title="Notizie", slug="notizie", locale=self.it)
            )
            self.created += 1
        home_en = self._translate_page(home, title="Notiziario (English)", slug="home-en")
        index_en = self._translate_page(index_it, title="News", slug="news")
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
        draw_card(title, colour).save(buffer, format="PNG")
        slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        image = Image(title=title, description=alt, file=ImageFile(buffer, name=f"{slug}.png"))
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
        self.load_mission(
            "missione-barcellona-smart-city",
            self.it,
            {
                "name": "Startup toscane a Barcellona",
                "destination": self.places["barcellona", "it"],
                "start_date": today - timedelta(days=12),
                "end_date": today - timedelta(days=8),
                "summary": "Una settimana di incontri sulle tecnologie per le città intelligenti.",
                "outcomes": "Tre sperimentazioni avviate con aziende municipalizzate catalane.",
            },
            delegates=[],
            organisations_met=["polo-tecnologico-arno"],
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
            hero_credit="Notiziario",
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
            source = Mission.objects.get(slug="missione-california-2023", locale=self.it)
        text = REFERENCE_MISSION[language]
        delegates = [
            ("leonardo-marras", ""),
            ("antonio-mazzeo", ""),
            ("valentina-mercanti", ""),
            ("gabriele-veneri", ""),
        ]
        return self.load_mission(
            "missione-california-2023",
            locale,
            {
                "name": text["name"],
                "destination": self.places["san-francisco", language],
                "start_date": date(2023, 12, 9),
                "end_date": date(2023, 12, 12),
                "summary": text["summary"],
                "budget_amount": Decimal("130000.00"),
                "budget_currency": "EUR",
                "budget_purpose": text["budget_purpose"],
                "outcomes": text["outcomes"],
            },
            delegates=delegates,
            organisations_met=REFERENCE_ORGANISATIONS_MET,
            agreements=[
                {
                    "title": text["agreement_title"],
                    "signed_on": date(2023, 12, 12),
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
                    "credit": "Notiziario",
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
            "topics": [self.topics["innovazione", language]],
            "organisations": [
                self.organisations[slug, language]
                for slug in ["regione-toscana", "consiglio-regionale-toscana"]
                + ["consolato-generale-san-francisco", "casa-toscana", "innovit"]
                + REFERENCE_ORGANISATIONS_MET
            ],
            "people": [self.people[slug, language] for slug in PEOPLE],
            "places": [self.places["san-francisco", language], self.places["siena", language]],
        }

    def _reference_images(self) -> tuple[Image, Image]:
        hero = self.image(
            "Casa Toscana, San Francisco",
            REFERENCE_STORY["it"]["hero_alt"],
            (183, 28, 28),
        )
        photo = self.image(
            "Siena, sede italiana di Dorian Therapeutics",
            REFERENCE_STORY["it"]["photo_alt"],
            (121, 85, 72),
        )
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
            hero_credit="Notiziario",
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


REFERENCE_DATE = datetime(2023, 12, 12, 18, 0, tzinfo=ROME)

REFERENCE_ORGANISATIONS_MET = [
    "comites-san-francisco",
    "meta",
    "bosch",
    "nvidia",
    "stanford-university",
    "uc-berkeley",
    "berkeley-skydeck",
    "dorian-therapeutics",
]

REFERENCE_MISSION = {
    "it": {
        "name": "Missione istituzionale in California",
        "summary": (
            "La delegazione della Regione Toscana ha incontrato in California imprese, "
            "università e acceleratori, e ha chiuso la missione firmando un accordo con il "
            "Consolato generale d'Italia a San Francisco."
        ),
        "budget_purpose": (
            "Attività 2024: presentazioni, seminari informativi, incontri B2B e networking "
            "con gli operatori della Silicon Valley"
        ),
        "outcomes": (
            "Dorian Therapeutics, startup biotech conosciuta tramite Casa Toscana a Innovit, "
            "aprirà nel 2024 la sua sede italiana a Siena."
        ),
        "agreement_title": "Accordo di collaborazione per l'innovazione toscana negli Stati Uniti",
        "agreement_parties": (
            "Regione Toscana (Giunta e Consiglio regionale) e Consolato generale d'Italia "
            "a San Francisco"
        ),
        "agreement_summary": (
            "Promuove all'estero l'ecosistema toscano dell'innovazione e accompagna startup e "
            "PMI innovative verso il mercato statunitense. Dà forma stabile al lavoro cominciato "
            "a settembre 2023."
        ),
    },
    "en": {
        "name": "Institutional mission to California",
        "summary": (
            "The Tuscan regional delegation met companies, universities and accelerators in "
            "California, and closed the mission by signing an agreement with the Consulate "
            "General of Italy in San Francisco."
        ),
        "budget_purpose": (
            "2024 activities: presentations, information seminars, B2B meetings and "
            "networking with Silicon Valley operators"
        ),
        "outcomes": (
            "Dorian Therapeutics, a biotech start-up met through Casa Toscana at Innovit, "
            "will open its Italian headquarters in Siena in 2024."
        ),
        "agreement_title": "Collaboration agreement for Tuscan innovation in the United States",
        "agreement_parties": (
            "Region of Tuscany (executive and regional council) and the Consulate General of "
            "Italy in San Francisco"
        ),
        "agreement_summary": (
            "Promotes Tuscany's innovation ecosystem abroad and helps start-ups and innovative "
            "SMEs reach the US market. It formalises work that began in September 2023."
        ),
    },
}

REFERENCE_STORY = {
    "it": {
        "title": "Toscana e San Francisco firmano un accordo per portare l'innovazione negli USA",
        "standfirst": (
            "Regione e Consolato generale d'Italia uniscono le forze a Casa Toscana: "
            "130.000 euro per accompagnare startup e PMI innovative verso il mercato americano "
            "nel 2024."
        ),
        "hero_alt": (
            "Illustrazione in toni rosso scuro con la scritta «Casa Toscana, San Francisco»."
        ),
        "hero_caption": "Casa Toscana a San Francisco, dove è stato firmato l'accordo.",
        "intro": (
            "<p>Martedì 12 dicembre 2023, a <b>Casa Toscana</b>, la Regione Toscana, con la "
            "Giunta e il Consiglio regionale, e il Consolato generale d'Italia a San Francisco "
            "hanno firmato un accordo di collaborazione. L'obiettivo è far conoscere all'estero "
            "l'ecosistema toscano dell'innovazione e aiutare startup e PMI innovative a "
            "entrare nel mercato statunitense. L'intesa mette nero su bianco un lavoro "
            "cominciato a settembre.</p>"
        ),
        "budget_value": "130.000 €",
        "budget_label": "stanziati dal Consiglio regionale per le attività del 2024",
        "budget": (
            "<p>Il Consiglio regionale aveva già messo a disposizione 130.000 euro per tutto il "
            "programma del 2024: presentazioni, seminari informativi, incontri B2B e occasioni "
            "di networking con gli operatori della Silicon Valley.</p>"
        ),
        "quote": (
            "Promuovere l'ecosistema toscano dell'innovazione all'estero e aiutare startup e "
            "PMI innovative a raggiungere il mercato degli Stati Uniti."
        ),
        "quote_attribution": "Accordo di collaborazione",
        "quote_role": "Regione Toscana e Consolato generale d'Italia a San Francisco",
        "delegation_heading": "La missione in California",
        "delegation": (
            "<p>La firma ha chiuso una missione istituzionale in California. Della delegazione "
            "facevano parte Leonardo Marras, assessore regionale all'economia e al turismo, "
            "Antonio Mazzeo, presidente del Consiglio regionale, e i consiglieri regionali "
            "Valentina Mercanti e Gabriele Veneri.</p>"
            "<p>In pochi giorni la delegazione ha incontrato il Comitato degli italiani "
            "all'estero di San Francisco, ha visitato la sede di Meta (Facebook, Instagram, "
            "WhatsApp), Nvidia e Bosch, che conta 400.000 dipendenti nel mondo e sta avviando "
            "nuove collaborazioni in Toscana, le università di Stanford e Berkeley e "
            "l'acceleratore di startup Berkeley SkyDeck.</p>"
        ),
        "bosch_label": "dipendenti di Bosch nel mondo",
        "success_heading": "Il primo risultato: una biotech a Siena",
        "success": (
            "<p>Il primo frutto del lavoro è già arrivato. Dorian Therapeutics, startup "
            "biotecnologica fondata da Maddalena Adorno e Benedetta Di Robilant, conosciuta "
            "grazie a Casa Toscana presso Innovit, aprirà nel 2024 la sua sede italiana a "
            "Siena.</p>"
        ),
        "photo_alt": (
            "Illustrazione in toni marroni con la scritta «Siena, sede italiana di Dorian "
            "Therapeutics»."
        ),
        "photo_caption": "Siena ospiterà dal 2024 la sede italiana di Dorian Therapeutics.",
        "related_label": "Per approfondire",
        "related_title": "La notizia su intoscana.it",
        "source_label": "Per approfondire su intoscana.it",
    },
    "en": {
        "title": "Tuscany and San Francisco sign an agreement to take innovation to the US",
        "standfirst": (
            "The Region and the Consulate General of Italy join forces at Casa Toscana: "
            "€130,000 to help start-ups and innovative SMEs reach the American market in 2024."
        ),
        "hero_alt": "Dark red illustration with the words “Casa Toscana, San Francisco”.",
        "hero_caption": "Casa Toscana in San Francisco, where the agreement was signed.",
        "intro": (
            "<p>On Tuesday 12 December 2023, at <b>Casa Toscana</b>, the Region of Tuscany, "
            "through its executive and its regional council, and the Consulate General of "
            "Italy in San Francisco signed a collaboration agreement. Its aim is to make "
            "Tuscany's innovation ecosystem known abroad and to help start-ups and innovative "
            "SMEs enter the US market. The agreement puts on paper work that began in "
            "September.</p>"
        ),
        "budget_value": "€130,000",
        "budget_label": "allocated by the regional council for 2024 activities",
        "budget": (
            "<p>The regional council had already set aside €130,000 for the whole 2024 "
            "programme: presentations, information seminars, B2B meetings and networking with "
            "Silicon Valley operators.</p>"
        ),
        "quote": (
            "To promote Tuscany's innovation ecosystem abroad and help start-ups and "
            "innovative SMEs reach the United States market."
        ),
        "quote_attribution": "Collaboration agreement",
        "quote_role": "Region of Tuscany and Consulate General of Italy in San Francisco",
        "delegation_heading": "The mission to California",
        "delegation": (
            "<p>The signing closed an institutional mission to California. The delegation "
            "included Leonardo Marras, regional minister for the economy and tourism, Antonio "
            "Mazzeo, president of the regional council, and regional councillors Valentina "
            "Mercanti and Gabriele Veneri.</p>"
            "<p>In a few days the delegation met the Committee of Italians Abroad of San "
            "Francisco and visited Meta's headquarters (Facebook, Instagram, WhatsApp), Nvidia "
            "and Bosch, which employs 400,000 people worldwide and is building new "
            "collaborations in Tuscany, as well as Stanford and Berkeley universities and the "
            "Berkeley SkyDeck start-up accelerator.</p>"
        ),
        "bosch_label": "Bosch employees worldwide",
        "success_heading": "A first success: a biotech in Siena",
        "success": (
            "<p>The first result has already arrived. Dorian Therapeutics, a biotech start-up "
            "founded by Maddalena Adorno and Benedetta Di Robilant and met through Casa Toscana "
            "at Innovit, will open its Italian headquarters in Siena in 2024.</p>"
        ),
        "photo_alt": (
            "Brown illustration with the words “Siena, Italian headquarters of Dorian "
            "Therapeutics”."
        ),
        "photo_caption": "From 2024 Siena will host Dorian Therapeutics' Italian headquarters.",
        "related_label": "Further reading",
        "related_title": "The story on intoscana.it",
        "source_label": "Further reading on intoscana.it",
    },
}


def draw_card(label: str, colour: tuple[int, int, int]) -> PILImage.Image:
    """A 1600×900 card: a diagonal gradient from the colour to a darker shade, and a label."""
    width, height = 1600, 900
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
    with transaction.atomic():
        Loader(stdout).run()
