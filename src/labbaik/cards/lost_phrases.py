"""The few sentences of the "I am lost" view, in the languages pilgrims speak.

They are shown side by side with Arabic to whoever the pilgrim asks for help, so they live in one
small table rather than in the pages' catalogue (which holds only the interface languages).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LostPhrases:
    lang: str
    direction: str
    plea: str
    camp: str
    hotel: str
    group: str
    leader: str
    call: str


_TABLE = (
    LostPhrases(
        "ar", "rtl",
        plea="أنا تائه. من فضلك ساعدني على العودة إلى مجموعتي.",
        camp="مخيمي", hotel="فندقي", group="مجموعتي",
        leader="هاتف قائد مجموعتي",
        call="من فضلك اتصل بقائد مجموعتي.",
    ),
    LostPhrases(
        "en", "ltr",
        plea="I am lost. Please help me get back to my group.",
        camp="My camp", hotel="My hotel", group="My group",
        leader="My group leader's phone",
        call="Please call my group leader.",
    ),
    LostPhrases(
        "id", "ltr",
        plea="Saya tersesat. Tolong bantu saya kembali ke rombongan saya.",
        camp="Kemah saya", hotel="Hotel saya", group="Rombongan saya",
        leader="Telepon ketua rombongan saya",
        call="Tolong hubungi ketua rombongan saya.",
    ),
    LostPhrases(
        "ms", "ltr",
        plea="Saya sesat. Tolong bantu saya kembali ke kumpulan saya.",
        camp="Khemah saya", hotel="Hotel saya", group="Kumpulan saya",
        leader="Telefon ketua kumpulan saya",
        call="Tolong hubungi ketua kumpulan saya.",
    ),
    LostPhrases(
        "ur", "rtl",
        plea="میں کھو گیا ہوں۔ براہ کرم اپنے گروپ تک واپس پہنچنے میں میری مدد کریں۔",
        camp="میرا کیمپ", hotel="میرا ہوٹل", group="میرا گروپ",
        leader="میرے گروپ لیڈر کا فون",
        call="براہ کرم میرے گروپ لیڈر کو فون کریں۔",
    ),
    LostPhrases(
        "tr", "ltr",
        plea="Kayboldum. Lütfen grubuma dönmeme yardım edin.",
        camp="Kampım", hotel="Otelim", group="Grubum",
        leader="Grup başkanımın telefonu",
        call="Lütfen grup başkanımı arayın.",
    ),
    LostPhrases(
        "bn", "ltr",
        plea="আমি হারিয়ে গেছি। দয়া করে আমাকে আমার দলে ফিরে যেতে সাহায্য করুন।",
        camp="আমার ক্যাম্প", hotel="আমার হোটেল", group="আমার দল",
        leader="আমার দলনেতার ফোন",
        call="দয়া করে আমার দলনেতাকে ফোন করুন।",
    ),
    LostPhrases(
        "fa", "rtl",
        plea="من گم شده‌ام. لطفاً کمکم کنید به گروهم برگردم.",
        camp="اردوگاه من", hotel="هتل من", group="گروه من",
        leader="تلفن سرپرست گروه من",
        call="لطفاً با سرپرست گروه من تماس بگیرید.",
    ),
    LostPhrases(
        "fr", "ltr",
        plea="Je suis perdu. Aidez-moi à retrouver mon groupe, s'il vous plaît.",
        camp="Mon camp", hotel="Mon hôtel", group="Mon groupe",
        leader="Téléphone de mon chef de groupe",
        call="Appelez mon chef de groupe, s'il vous plaît.",
    ),
    LostPhrases(
        "ha", "ltr",
        plea="Na ɓace. Don Allah ka taimake ni in koma wurin ƙungiyata.",
        camp="Sansanina", hotel="Otal ɗina", group="Ƙungiyata",
        leader="Lambar wayar shugaban ƙungiyata",
        call="Don Allah ka kira shugaban ƙungiyata.",
    ),
)  # fmt: skip

PHRASES = {phrases.lang: phrases for phrases in _TABLE}


def phrases_for(language: str) -> list[LostPhrases]:
    """Arabic first (what a helper in the Kingdom reads), then the pilgrim's own language.

    A language the table does not hold yet falls back to English, which more helpers read than
    any other second language.
    """
    own = PHRASES.get(language, PHRASES["en"])
    return [PHRASES["ar"]] if own.lang == "ar" else [PHRASES["ar"], own]
