"""The demo content itself: what `manage.py load_demo` creates, as data.

The loader (cms/demo/loader.py) turns it into pages, snippets and images; nothing here
touches the database. Every object has a stable key (slug and language, image title):
README examples and tests refer to these slugs, so rename none of them. Dates of the
ordinary news are relative (`days_ago`) to the day the loader runs; the reference story
keeps its real date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cms.models import OrganisationKind

ROME = ZoneInfo("Europe/Rome")
REFERENCE_SLUG = "toscana-san-francisco-accordo-innovazione"
INTOSCANA_URL = "https://www.intoscana.it/"


# --- Site tree -----------------------------------------------------------------

HOME = {
    "title": "Notiziario",
    "slug": "home",
    "intro": "<p>Le notizie sull'innovazione in Toscana e nel mondo.</p>",
}
HOME_EN = {"title": "Notiziario (English)", "slug": "home-en"}
NEWS_INDEX = {"title": "Notizie", "slug": "notizie"}
NEWS_INDEX_EN = {"title": "News", "slug": "news"}
SITE = {"hostname": "localhost", "port": 80, "site_name": "Notiziario"}
# Credit line of every demo image: they are drawn by the loader.
IMAGE_CREDIT = "Notiziario"

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
    """One ordinary news item, in Italian: the first paragraph, the key figure (value,
    label) if any, then the other paragraphs; a card drawn with `image_label` on
    `colour` as its hero; topic, organisations, places and mission by slug."""

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


# --- Missions ----------------------------------------------------------------

# The mission of the reference story, in both languages (texts in REFERENCE_MISSION).
REFERENCE_MISSION_SLUG = "missione-california-2023"
REFERENCE_MISSION_FACTS = {
    "destination": "san-francisco",
    "start_date": date(2023, 12, 9),
    "end_date": date(2023, 12, 12),
    "budget_amount": Decimal("130000.00"),
    "budget_currency": "EUR",
    "agreement_signed_on": date(2023, 12, 12),
}
# (person slug, role in the delegation: empty means their own role)
REFERENCE_DELEGATES = [
    ("leonardo-marras", ""),
    ("antonio-mazzeo", ""),
    ("valentina-mercanti", ""),
    ("gabriele-veneri", ""),
]
# Named in the story besides the organisations met.
REFERENCE_ORGANISATIONS_NAMED = [
    "regione-toscana",
    "consiglio-regionale-toscana",
    "consolato-generale-san-francisco",
    "casa-toscana",
    "innovit",
]
REFERENCE_TOPICS = ["innovazione"]
REFERENCE_PLACES = ["san-francisco", "siena"]
# (title, colour) of the two images drawn for the reference story; alt texts in REFERENCE_STORY.
REFERENCE_HERO = ("Casa Toscana, San Francisco", (183, 28, 28))
REFERENCE_PHOTO = ("Siena, sede italiana di Dorian Therapeutics", (121, 85, 72))

# An Italian-only mission, dated relative to the day the loader runs.
BARCELONA_MISSION = {
    "slug": "missione-barcellona-smart-city",
    "name": "Startup toscane a Barcellona",
    "destination": "barcellona",
    "starts_days_ago": 12,
    "ends_days_ago": 8,
    "summary": "Una settimana di incontri sulle tecnologie per le città intelligenti.",
    "outcomes": "Tre sperimentazioni avviate con aziende municipalizzate catalane.",
    "organisations_met": ["polo-tecnologico-arno"],
}


# --- The reference story -------------------------------------------------------

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
