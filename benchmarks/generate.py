"""Seeded, reproducible synthetic case studies that pass the format contract.

``python benchmarks/generate.py --n 10000 --out DIR [--seed 7] [--check 200]``
writes ``DIR/<id>.yaml`` for N records. The same N and seed give the same bytes
on every machine (no set iteration, no ``hash()``, one ``random.Random``).

Spread, chosen to look like a grown catalogue rather than like copies of one file:

- 1 to 6 institutions per record, drawn (Zipf-like) from a shared pool of
  about 0.6 N institutions, so national libraries and big chapters recur in
  hundreds of records while most institutions appear a few times; every pool
  entry is used at least once;
- every term of every vocabulary is used (library types, Wikimedia projects,
  activities, roles, link kinds, submitter kinds, statuses, all IFLA units,
  all ISO 3166-1 countries) as soon as N >= 300;
- titles in the record's language plus up to three translations, in Latin,
  Cyrillic, Greek, Arabic, Hebrew, Devanagari, CJK and Hangul scripts;
- a summary (at most 1,500 characters) and three to six markdown sections of
  a few KB in all;
- periods at year, month or day precision, open-ended or closed; links of
  every kind; contacts with ``publish`` true and false; curator notes;
- about 30 % of institutions with a QID, 25 % with an ISIL, half with a website.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lod.model import terms, vocab
from lod.rdf.build import iri_segment
from lod.resources import ifla_units

GENERATOR_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
MANIFEST = "MANIFEST.json"

# --- word banks (own text; a few dozen words per language) -------------------------------


def _words(text: str) -> list[str]:
    return text.split()


#: tag -> (words, joiner, title templates with {place} and {topic}, share of records)
LANGUAGES: dict[str, tuple[list[str], str, list[str], int]] = {
    "en": (
        _words("library librarians volunteers Wikipedia articles editathon residency catalogue "
        "records photographs archive collection community students workshop training "
        "metadata authority files Wikidata items citations references campaign outreach "
        "digitised manuscripts maps newspapers partnership funding impact lessons "
        "sustainability local history public readers access knowledge open licence"),
        " ",
        ["{topic} at {place}", "Wikimedians in residence: {place}", "{place} and the {topic}"],
        40,
    ),
    "es": (
        _words("biblioteca bibliotecarios voluntarios artículos editatón residencia catálogo "
        "fotografías archivo colección comunidad estudiantes taller formación metadatos "
        "autoridades elementos citas referencias campaña difusión manuscritos digitalizados "
        "mapas periódicos alianza financiación impacto lecciones sostenibilidad historia "
        "local lectores acceso conocimiento licencia abierta"),
        " ",
        ["{topic} en {place}", "La biblioteca de {place} y Wikipedia", "Editatón de {place}"],
        9,
    ),
    "fr": (
        _words("bibliothèque bibliothécaires bénévoles articles contributhon résidence catalogue "
        "photographies archives collection communauté étudiants atelier formation "
        "métadonnées notices d'autorité éléments citations références campagne médiation "
        "manuscrits numérisés cartes journaux partenariat financement impact leçons "
        "pérennité histoire locale lecteurs accès savoir licence libre"),
        " ",
        ["{topic} à {place}", "Wikimédien en résidence à {place}", "La médiathèque de {place}"],
        7,
    ),
    "de": (
        _words("Bibliothek Bibliothekarinnen Ehrenamtliche Artikel Schreibwerkstatt Residenz "
        "Katalog Fotografien Archiv Sammlung Gemeinschaft Studierende Workshop Schulung "
        "Metadaten Normdaten Datenobjekte Belege Kampagne Öffentlichkeitsarbeit "
        "Handschriften digitalisiert Karten Zeitungen Partnerschaft Förderung Wirkung "
        "Erkenntnisse Nachhaltigkeit Heimatgeschichte Leserinnen Zugang Wissen "
        "Lizenz"),
        " ",
        ["{topic} in {place}", "Wikipedianerin in Residenz: {place}", "Stadtbibliothek {place}"],
        6,
    ),
    "ca": (
        _words("biblioteca bibliotecàries voluntaris articles viquimarató residència catàleg "
        "fotografies arxiu col·lecció comunitat estudiants taller formació metadades "
        "autoritats elements cites referències campanya difusió manuscrits digitalitzats "
        "mapes diaris aliança finançament impacte lliçons història local lectors accés "
        "coneixement llicència oberta"),
        " ",
        ["{topic} a {place}", "Bibliowikis: {place}", "Viquiprojecte a {place}"],
        4,
    ),
    "pt-BR": (
        _words("biblioteca bibliotecárias voluntários artigos editatona residência catálogo "
        "fotografias arquivo acervo comunidade estudantes oficina formação metadados "
        "autoridades itens citações referências campanha extensão manuscritos "
        "digitalizados mapas jornais parceria financiamento impacto lições "
        "sustentabilidade história local leitores acesso conhecimento licença"),
        " ",
        ["{topic} em {place}", "A biblioteca de {place} na Wikipédia", "Editatona em {place}"],
        5,
    ),
    "ru": (
        _words("библиотека библиотекари волонтёры статьи марафон резиденция каталог фотографии "
        "архив коллекция сообщество студенты семинар обучение метаданные авторитетные "
        "файлы элементы ссылки кампания просвещение рукописи оцифрованные карты газеты "
        "партнёрство финансирование результаты уроки краеведение читатели доступ "
        "знания лицензия"),
        " ",
        ["{topic}: {place}", "Библиотека {place} и Википедия", "Викимарафон в {place}"],
        4,
    ),
    "el": (
        _words("βιβλιοθήκη βιβλιοθηκονόμοι εθελοντές λήμματα συγγραφή κατάλογος φωτογραφίες "
        "αρχείο συλλογή κοινότητα φοιτητές εργαστήριο εκπαίδευση μεταδεδομένα αναφορές "
        "εκστρατεία χειρόγραφα ψηφιοποιημένα χάρτες εφημερίδες συνεργασία χρηματοδότηση "
        "αποτελέσματα μαθήματα τοπική ιστορία αναγνώστες πρόσβαση γνώση άδεια"),
        " ",
        ["{topic} στη {place}", "Η βιβλιοθήκη της {place} και η Βικιπαίδεια"],
        2,
    ),
    "ja": (
        _words("図書館 司書 ボランティア 記事 エディタソン 滞在 目録 写真 アーカイブ 所蔵 地域 学生 "
        "講習 研修 メタデータ 典拠 項目 出典 キャンペーン 古文書 デジタル化 地図 新聞 連携 "
        "助成 成果 教訓 郷土史 利用者 知識 ライセンス"),
        "",
        ["{place}の{topic}", "{place}図書館とウィキペディア"],
        4,
    ),
    "zh-Hant": (
        _words("圖書館 館員 志工 條目 編輯松 駐館 目錄 照片 檔案 館藏 社群 學生 工作坊 培訓 "
        "後設資料 權威檔 項目 引用 活動 古籍 數位化 地圖 報紙 合作 經費 成效 經驗 地方史 "
        "讀者 知識 授權"),
        "",
        ["{place}{topic}", "{place}圖書館與維基百科"],
        3,
    ),
    "ar": (
        _words("مكتبة أمناء متطوعون مقالات ماراثون إقامة فهرس صور أرشيف مجموعة مجتمع طلاب ورشة "
        "تدريب بيانات وصفية ملفات استناد عناصر استشهادات حملة مخطوطات رقمنة خرائط صحف "
        "شراكة تمويل أثر دروس تاريخ محلي قراء وصول معرفة رخصة"),
        " ",
        ["{topic} في {place}", "مكتبة {place} وويكيبيديا"],
        3,
    ),
    "he": (
        _words("ספרייה ספרנים מתנדבים ערכים מיזם שהות קטלוג תצלומים ארכיון אוסף קהילה סטודנטים "
        "סדנה הדרכה מטא-נתונים פריטים מקורות מבצע כתבי-יד דיגיטציה מפות עיתונים שותפות "
        "מימון השפעה לקחים היסטוריה מקומית קוראים גישה ידע רישיון"),
        " ",
        ["{topic} ב{place}", "הספרייה של {place} וויקיפדיה"],
        2,
    ),
    "hi": (
        _words("पुस्तकालय पुस्तकालयाध्यक्ष स्वयंसेवक लेख संपादनोत्सव निवास सूची चित्र अभिलेखागार संग्रह "
        "समुदाय छात्र कार्यशाला प्रशिक्षण मेटाडेटा संदर्भ अभियान पांडुलिपियाँ डिजिटल मानचित्र "
        "समाचारपत्र साझेदारी अनुदान प्रभाव सबक स्थानीय इतिहास पाठक ज्ञान"),
        " ",
        ["{place} में {topic}", "{place} पुस्तकालय और विकिपीडिया"],
        2,
    ),
    "ko": (
        _words("도서관 사서 자원봉사자 문서 편집행사 상주 목록 사진 기록물 소장품 공동체 학생 "
        "워크숍 교육 메타데이터 전거 항목 출처 캠페인 고문헌 디지털화 지도 신문 협력 "
        "지원금 성과 교훈 향토사 이용자 지식 라이선스"),
        " ",
        ["{place} {topic}", "{place} 도서관과 위키백과"],
        2,
    ),
    "pl": (
        _words("biblioteka bibliotekarki wolontariusze artykuły editaton rezydencja katalog "
        "fotografie archiwum zbiory społeczność studenci warsztaty szkolenie metadane "
        "kartoteki elementy przypisy kampania rękopisy zdigitalizowane mapy gazety "
        "partnerstwo finansowanie wpływ wnioski historia lokalna czytelnicy dostęp "
        "wiedza licencja"),
        " ",
        ["{topic} w {place}", "Wikipedysta-rezydent: {place}"],
        3,
    ),
    "sw": (
        _words("maktaba wakutubi wajitoleaji makala uhariri ukaazi orodha picha kumbukumbu mkusanyiko "
        "jamii wanafunzi warsha mafunzo metadata vipengee marejeo kampeni miswada ramani "
        "magazeti ushirikiano ufadhili matokeo mafunzo historia wasomaji ufikiaji "
        "maarifa leseni"),
        " ",
        ["{topic} katika {place}", "Maktaba ya {place} na Wikipedia"],
        2,
    ),
}

TOPICS = {
    "en": ["Wikidata for local history", "1Lib1Ref campaign", "Commons photo upload"],
    "es": ["Wikidata para la historia local", "campaña 1Lib1Ref", "fotos en Commons"],
    "fr": ["Wikidata et histoire locale", "campagne 1Bib1Ref", "versement sur Commons"],
    "de": ["Wikidata für Heimatgeschichte", "Kampagne 1Lib1Ref", "Bilder für Commons"],
    "ca": ["Wikidata i història local", "campanya 1Bib1Ref", "fotografies a Commons"],
    "pt-BR": ["Wikidata e história local", "campanha 1Lib1Ref", "fotos no Commons"],
    "ru": ["Викиданные и краеведение", "кампания 1Lib1Ref", "фотографии на Викискладе"],
    "el": ["Wikidata και τοπική ιστορία", "εκστρατεία 1Lib1Ref"],
    "ja": ["ウィキデータと郷土史", "1Lib1Refキャンペーン"],
    "zh-Hant": ["維基數據與地方史", "1Lib1Ref活動"],
    "ar": ["ويكي بيانات والتاريخ المحلي", "حملة 1Lib1Ref"],
    "he": ["ויקינתונים והיסטוריה מקומית", "מבצע 1Lib1Ref"],
    "hi": ["विकिडेटा और स्थानीय इतिहास", "1Lib1Ref अभियान"],
    "ko": ["위키데이터와 향토사", "1Lib1Ref 캠페인"],
    "pl": ["Wikidane i historia lokalna", "kampania 1Lib1Ref"],
    "sw": ["Wikidata na historia ya mahali", "kampeni ya 1Lib1Ref"],
}

#: script -> syllables for synthetic place names (unlimited, no real places named)
SYLLABLES = {
    "latin": _words(
        "ka lo ver an dri mel sor ta ben rim os qua el nor vi zan thu ri po lus "
        "mar gö bré ñu ål łe ça ße"
    ),
    "cyrillic": _words("ка ло вер ан дри мел сор та бен рим ос ель нор ви зан ту ри по"),
    "greek": _words("κα λο βερ αν δρι μελ σορ τα μπεν ριμ ος ελ νορ βι ζαν θου ρι πο"),
    "arabic": _words("كا لو فير ان دري مل سور تا بن ريم وس ال نور في زان ثو ري بو"),
    "hebrew": _words("קה לו ור אן דרי מל סור טה בן רים אוס אל נור וי זן תו רי פו"),
    "devanagari": _words("का लो वर अन द्रि मेल सोर ता बेन रिम ओस एल नोर वि ज़न थु रि पो"),
    "japanese": _words("カ ロ ベ ア ド メ ソ タ ミ ナ キ サ ト ヤ マ ハ ル"),
    "chinese": _words("山 河 南 北 東 西 安 寧 平 海 清 江 豐 華 新 石 城"),
    "hangul": _words("가 로 베 안 드 멜 소 타 미 나 키 사 토 야 마 하 루"),
}

#: (script, name template, library type or None for any)
NAME_TEMPLATES: list[tuple[str, str, str | None]] = [
    ("latin", "{place} Public Library", "public"),
    ("latin", "Biblioteca Municipal de {place}", "public"),
    ("latin", "Bibliothèque universitaire de {place}", "academic"),
    ("latin", "Stadtbibliothek {place}", "public"),
    ("latin", "University of {place} Libraries", "academic"),
    ("latin", "National Library of {place}", "national"),
    ("latin", "{place} State Archives", "archive"),
    ("latin", "Biblioteka Miejska w {place}", "public"),
    ("latin", "Wikimedia {place}", "non-library"),
    ("latin", "{place} Museum of Art Library", "art"),
    ("latin", "{place} Medical Library", "health"),
    ("latin", "{place} Law Society Library", "law"),
    ("latin", "Parliament Library of {place}", "parliamentary"),
    ("latin", "{place} High School Library", "school"),
    ("latin", "{place} Institute for Advanced Study", "research"),
    ("latin", "{place} Community Library", "community"),
    ("cyrillic", "Центральная библиотека {place}", None),
    ("greek", "Δημοτική Βιβλιοθήκη {place}", None),
    ("arabic", "مكتبة {place} العامة", None),
    ("hebrew", "הספרייה העירונית {place}", None),
    ("devanagari", "{place} सार्वजनिक पुस्तकालय", None),
    ("japanese", "{place}市立図書館", None),
    ("chinese", "{place}公共圖書館", None),
    ("hangul", "{place} 시립도서관", None),
]

LINK_HOSTS = (
    "https://outreach.wikimedia.org/wiki/GLAM/Case_studies/",
    "https://meta.wikimedia.org/wiki/Event:",
    "https://commons.wikimedia.org/wiki/Category:",
    "https://www.wikidata.org/wiki/Wikidata:WikiProject_",
    "https://blog.example.org/",
    "https://zenodo.org/records/",
)
FIRST_NAMES = _words("Ana Jordi Mei Olu Kasia Lars Amara Ravi Sofía Yuki Noor Élodie Ivan Zeynep")
LAST_NAMES = _words("García Okafor Tanaka Nowak Svensson Haddad Müller Rossi Dubois Kim Patel")
ISIL_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class PoolInstitution:
    """One institution of the shared pool, written the same way in every record."""

    name: str
    country: str
    type: str
    wikidata: str | None
    isil: str | None
    website: str | None

    def key(self) -> str:
        """The key ``lod.rdf.build.institution_key`` will give it (for uniqueness)."""
        if self.wikidata:
            return self.wikidata
        if self.isil:
            return "isil-" + self.isil
        return f"{self.country.lower()}-{iri_segment(self.name)}"

    def as_yaml(self, role: str | None) -> dict[str, Any]:
        """The mapping a record carries for it."""
        out: dict[str, Any] = {"name": self.name, "country": self.country, "type": self.type}
        if role is not None:
            out["role"] = role
        if self.isil:
            out["isil"] = self.isil
        if self.wikidata:
            out["wikidata"] = self.wikidata
        if self.website:
            out["website"] = self.website
        return out


def _place(rng: random.Random, script: str) -> str:
    syllables = SYLLABLES[script]
    text = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
    return text[:1].upper() + text[1:] if script == "latin" else text


def make_pool(rng: random.Random, size: int) -> list[PoolInstitution]:
    """``size`` institutions with unique keys; countries and types cycle first, then vary."""
    countries = list(terms.countries())
    types = list(vocab.LIBRARY_TYPES)
    pool: list[PoolInstitution] = []
    keys: set[str] = set()
    qids: set[int] = set()
    isils: set[str] = set()
    index = 0
    while len(pool) < size:
        country = countries[index % len(countries)] if index < len(countries) else rng.choice(
            countries
        )
        script, template, kind = rng.choice(NAME_TEMPLATES)
        if index < len(types):
            kind = types[index]
        kind = kind or rng.choice(types)
        name = template.format(place=_place(rng, script))
        wikidata = isil = website = None
        if rng.random() < 0.30:
            number = rng.randint(1000, 130_000_000)
            while number in qids:
                number = rng.randint(1000, 130_000_000)
            qids.add(number)
            wikidata = f"Q{number}"
        if rng.random() < 0.25:
            isil = f"{country}-" + "".join(rng.choice(ISIL_CHARS) for _ in range(rng.randint(3, 9)))
            if isil in isils:
                isil = None
            else:
                isils.add(isil)
        if rng.random() < 0.5:
            website = f"https://library-{len(pool)}.example.{country.lower()}/"
        candidate = PoolInstitution(name, country, kind, wikidata, isil, website)
        if candidate.key() in keys:
            continue
        keys.add(candidate.key())
        pool.append(candidate)
        index += 1
    return pool


def _sentence(rng: random.Random, lang: str, low: int = 8, high: int = 22) -> str:
    words, joiner, _, _ = LANGUAGES[lang]
    chosen = [rng.choice(words) for _ in range(rng.randint(low, high))]
    text = joiner.join(chosen)
    end = "。" if joiner == "" else "."
    return text[:1].upper() + text[1:] + end


def _paragraph(rng: random.Random, lang: str, sentences: int) -> str:
    joiner = "" if LANGUAGES[lang][1] == "" else " "
    return joiner.join(_sentence(rng, lang) for _ in range(sentences))


def _section(rng: random.Random, lang: str, record_number: int) -> str:
    parts = []
    for _ in range(rng.randint(1, 3)):
        shape = rng.random()
        if shape < 0.2:
            parts.append("\n".join(f"- {_sentence(rng, lang, 4, 10)}" for _ in range(rng.randint(3, 6))))
        elif shape < 0.3:
            parts.append(f"### {_sentence(rng, lang, 2, 5).rstrip('.。')}")
        else:
            text = _paragraph(rng, lang, rng.randint(2, 4))
            if rng.random() < 0.3:
                text += f" See [the project page](https://example.org/p/{record_number}) and **{rng.choice(LANGUAGES[lang][0])}**."
            parts.append(text)
    return "\n\n".join(parts)


def _summary(rng: random.Random, lang: str) -> str:
    text = _paragraph(rng, lang, rng.randint(2, 6))
    return text[:1500].rstrip()


def _partial_date(rng: random.Random, year: int, precision: int) -> str:
    if precision == 0:
        return f"{year}"
    month = rng.randint(1, 12)
    if precision == 1:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _period(rng: random.Random) -> dict[str, str]:
    start_year = rng.randint(1998, 2025)
    period = {"start": _partial_date(rng, start_year, rng.choice((0, 0, 1, 2)))}
    if rng.random() < 0.65:
        end_year = start_year + rng.randint(0, 6)
        period["end"] = (
            f"{end_year}" if end_year == start_year else _partial_date(rng, end_year, rng.choice((0, 1, 2)))
        )
    return period


def _pick(rng: random.Random, options: tuple[str, ...] | list[str], low: int, high: int,
          must: str | None = None) -> list[str]:
    chosen = rng.sample(list(options), rng.randint(low, min(high, len(options))))
    if must is not None and must not in chosen:
        chosen.insert(0, must)
    return chosen


def make_record(rng: random.Random, number: int, pool: list[PoolInstitution],
                cum_weights: list[float]) -> dict[str, Any]:
    """Record ``number`` as plain YAML data (insertion order = the order written)."""
    tags = list(LANGUAGES)
    shares = [LANGUAGES[tag][3] for tag in tags]
    lang = rng.choices(tags, weights=shares)[0]
    place = _place(rng, "latin")
    topic_slug = rng.choice(("wikidata", "editathon", "residency", "commons", "campaign", "training"))
    record_id = f"{iri_segment(place)}-{topic_slug}-{number:06d}"
    title_langs = [lang] + [t for t in rng.sample(tags, rng.randint(0, 3)) if t != lang]
    title = {
        tag: rng.choice(LANGUAGES[tag][2]).format(place=place, topic=rng.choice(TOPICS[tag]))
        for tag in title_langs
    }
    summary = {tag: _summary(rng, tag) for tag in title_langs[: rng.randint(1, len(title_langs))]}
    data: dict[str, Any] = {
        "id": record_id,
        "status": vocab.STATUSES[number % 3] if number < 3 else rng.choice(vocab.STATUSES),
        "lang": lang,
        "title": title,
        "summary": summary,
    }
    keys = list(vocab.SECTION_KEYS)
    section_keys = [k for k in keys if k in rng.sample(keys, rng.randint(3, 6))]
    data["sections"] = {key: _section(rng, lang, number) for key in section_keys}
    units = list(ifla_units())
    if rng.random() < 0.35 or number < len(vocab.SUBMITTER_KINDS):
        kind = vocab.SUBMITTER_KINDS[number % 5] if number < 5 else rng.choice(vocab.SUBMITTER_KINDS)
        submitter: dict[str, Any] = {"kind": kind}
        if kind == "ifla-unit":
            submitter["unit"] = rng.choice(units)
        if rng.random() < 0.7:
            submitter["name"] = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        data["submitted_by"] = submitter
    must_unit = units[number % len(units)] if number < 2 * len(units) else None
    if must_unit or rng.random() < 0.4:
        data["ifla_units"] = _pick(rng, units, 0 if must_unit else 1, 3, must_unit)
    # Institutions: record i < pool size names pool[i] first, so every entry is used.
    count = rng.choices((1, 2, 3, 4, 5, 6), weights=(25, 30, 20, 12, 8, 5))[0]
    chosen: list[int] = [number % len(pool)] if number < len(pool) else []
    while len(chosen) < count:
        pick = rng.choices(range(len(pool)), cum_weights=cum_weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    roles = list(vocab.ROLES)
    institutions = []
    for position, index in enumerate(chosen):
        if number < len(roles) and position == 0:
            role: str | None = roles[number]
        else:
            role = rng.choice((None, None, "lead", "partner", "funder", "host"))
        institutions.append(pool[index].as_yaml(role))
    data["institutions"] = institutions
    must_project = vocab.PROJECTS[number % len(vocab.PROJECTS)]
    data["wikimedia_projects"] = _pick(rng, vocab.PROJECTS, 1, 4, must_project)
    must_activity = vocab.ACTIVITIES[number % len(vocab.ACTIVITIES)]
    if rng.random() < 0.85 or number < len(vocab.ACTIVITIES):
        data["activities"] = _pick(rng, vocab.ACTIVITIES, 1, 5, must_activity)
    if rng.random() < 0.7:
        data["languages"] = _pick(rng, ["en", "es", "ca", "fr", "de", "ja", "ar", "pt", "sw"], 1, 3)
    if rng.random() < 0.85:
        data["period"] = _period(rng)
    links = []
    for position in range(rng.randint(0, 5) if number >= 6 else 6):
        kind = vocab.LINK_KINDS[position % 6] if number < 6 else rng.choice(vocab.LINK_KINDS)
        link: dict[str, Any] = {"url": f"{rng.choice(LINK_HOSTS)}{record_id}/{position}"}
        if rng.random() < 0.8:
            link["title"] = _sentence(rng, lang, 3, 7).rstrip(".。")
        if rng.random() < 0.9 or number < 6:
            link["kind"] = kind
        links.append(link)
    if links:
        data["links"] = links
    contacts = []
    for position in range(rng.choices((0, 1, 2, 3), weights=(50, 30, 15, 5))[0]):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{iri_segment(first)}.{iri_segment(last)}{position}@library.example.org"
        contact: dict[str, Any] = {"name": f"{first} {last}", "email": email}
        if rng.random() < 0.6:
            contact["publish"] = rng.random() < 0.5
        contacts.append(contact)
    if contacts:
        data["contacts"] = contacts
    if rng.random() < 0.7:
        data["source"] = {
            "url": f"https://outreach.wikimedia.org/wiki/GLAM/Case_studies/{record_id}",
            "revision": rng.randint(1, 30_000_000),
            "retrieved": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320)),
        }
    if rng.random() < 0.1:
        data["license"] = rng.choice(("CC-BY-4.0", "CC0-1.0", "CC-BY-SA-3.0"))
    if rng.random() < 0.1:
        data["wikidata"] = f"Q{200_000_000 + number}"
    if rng.random() < 0.3:
        data["notes"] = _paragraph(rng, "en", rng.randint(1, 3))
    return data


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style for multi-line text (as a curator writes it)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    """YAML text of one record, UTF-8 characters kept as they are."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def generate(n: int, out_dir: Path, *, seed: int = 7) -> list[Path]:
    """Write ``n`` records into ``out_dir`` (emptied first); return the paths in id order."""
    rng = random.Random(f"lod-bench:{seed}")
    pool = make_pool(rng, max(300, int(n * 0.6)))
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(pool))]
    cum_weights = []
    total = 0.0
    for weight in weights:
        total += weight
        cum_weights.append(total)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    paths = []
    size = 0
    for number in range(n):
        data = make_record(rng, number, pool, cum_weights)
        path = out_dir / f"{data['id']}.yaml"
        text = dump(data).encode("utf-8")
        size += len(text)
        path.write_bytes(text)
        paths.append(path)
    manifest = {
        "n": n,
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "pool": len(pool),
        "bytes": size,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return sorted(paths)


def ensure(n: int, out_dir: Path, *, seed: int = 7) -> dict[str, Any]:
    """Generate unless ``out_dir`` already holds exactly this N, seed and generator."""
    manifest_path = out_dir / MANIFEST
    if manifest_path.is_file():
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = sum(1 for _ in out_dir.glob("*.yaml"))
        if (manifest.get("n"), manifest.get("seed"), manifest.get("generator")) == (
            n, seed, GENERATOR_VERSION
        ) and files == n:
            return manifest
    generate(n, out_dir, seed=seed)
    result: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    return result


def check_sample(directory: Path, sample: int, *, seed: int = 7) -> int:
    """Assert that ``sample`` files (spread over the set) pass ``lod.ingest.load_case_studies``."""
    from lod.ingest.load import load_case_studies

    paths = sorted(directory.glob("*.yaml"))
    if sample < len(paths):
        paths = sorted(random.Random(seed).sample(paths, sample))
    loaded = load_case_studies(paths)
    problems = "\n".join(str(p) for p in loaded.problems[:20])
    assert not loaded.problems, f"generated files break the contract:\n{problems}"
    assert len(loaded.records) == len(paths), "some generated files gave no record"
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of records")
    parser.add_argument("--out", type=Path, required=True, help="directory to (re)write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", type=int, default=200, metavar="K",
                        help="load K generated files with lod and fail on any problem (0: skip)")
    args = parser.parse_args(argv)
    generate(args.n, args.out, seed=args.seed)
    manifest = json.loads((args.out / MANIFEST).read_text(encoding="utf-8"))
    print(f"wrote {args.n} records ({manifest['bytes'] / 1e6:.1f} MB, pool of "
          f"{manifest['pool']} institutions) to {args.out}")
    if args.check:
        checked = check_sample(args.out, args.check, seed=args.seed)
        print(f"checked {checked} files with lod.ingest.load_case_studies: no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
