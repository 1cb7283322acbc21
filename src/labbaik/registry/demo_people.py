"""Demo pilgrims: the real mix of nationalities, real names in both scripts, passport-like data."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, groupby
from typing import Literal

Name = tuple[str, str]
"""A name as its passport writes it in Latin letters, and in Arabic script."""

Sex = Literal["M", "F"]
Lineage = Literal["family", "loose", "father", "malay"]


@dataclass(frozen=True)
class NamingCulture:
    """How one people names its children; every name a (Latin, Arabic-script) pair."""

    male: tuple[Name, ...]
    female: tuple[Name, ...]
    family: tuple[Name, ...]
    # "family": the surname passes from father to children; "loose": a surname is not reliably
    # shared within a family; "father": the surname is the father's given name; "malay": no
    # surname, "X bin/binti <father>" (the family list then holds fathers' names).
    lineage: Lineage = "family"
    # Surnames only women carry (Bangladeshi "Akter", Pakistani "Bibi"), and how often.
    female_family: tuple[Name, ...] = ()
    female_family_share: float = 0.0
    # First names put before the given name ("Muhammad Imran", "Md Rafiqul", "Siti Aminah").
    male_prefixes: tuple[Name, ...] = ()
    female_prefixes: tuple[Name, ...] = ()
    prefix_share: float = 0.0
    # How often the father's given name follows one's own, as Arab passports print it.
    patronymic_share: float = 0.0
    # Given names and surnames that only make sense together ("Rafiqul" + "Islam", which Arabic
    # writes as one name split across both fields: "رفيق" + "الإسلام").
    compounds: tuple[tuple[Name, Name], ...] = ()
    compound_share: float = 0.0
    # Slavic-style surnames whose feminine form adds "a": Abdullayev, Abdullayeva.
    feminine_surnames: bool = False
    wife_takes_surname: bool = False
    surname_first: bool = False


# ---------------------------------------------------------------------------------------------
# Naming cultures. Latin as that country's passports spell it; Arabic script as Arabic writes
# the name, or Urdu and Persian orthography for Urdu and Persian names (ی ک ہ پ چ گ ژ ٹ).

_INDONESIAN = NamingCulture(
    male=(
        ("Budi", "بودي"), ("Agus", "أغوس"), ("Hendra", "هندرا"), ("Slamet", "سلامت"),
        ("Bambang", "بامبانغ"), ("Joko", "جوكو"), ("Sutrisno", "سوتريسنو"), ("Rizki", "رزقي"),
        ("Fajar", "فجر"), ("Arif", "عارف"), ("Hasan", "حسن"), ("Ilham", "إلهام"),
        ("Rahmat", "رحمت"), ("Wahyu", "وحيو"), ("Dedi", "ديدي"), ("Eko", "إيكو"),
        ("Yusuf", "يوسف"), ("Abdurrahman", "عبد الرحمن"), ("Taufik", "توفيق"), ("Imam", "إمام"),
        ("Sugeng", "سوغينغ"), ("Dwi", "دوي"), ("Heru", "هيرو"), ("Iwan", "إيوان"),
        ("Supriyadi", "سوبريادي"), ("Mulyono", "موليونو"), ("Zainal Abidin", "زين العابدين"),
        ("Ridwan", "رضوان"), ("Hamzah", "حمزة"), ("Irfan", "عرفان"), ("Rudi", "رودي"),
        ("Andi", "أندي"),
    ),
    female=(
        ("Aminah", "آمنة"), ("Fatimah", "فاطمة"), ("Aisyah", "عائشة"), ("Dewi", "ديوي"),
        ("Nurhaliza", "نورهاليزا"), ("Rahmawati", "رحماواتي"), ("Sulastri", "سولاستري"),
        ("Wahyuni", "وحيوني"), ("Yuliana", "يوليانا"), ("Ratna", "راتنا"), ("Endang", "إندانغ"),
        ("Suryani", "سورياني"), ("Khadijah", "خديجة"), ("Halimah", "حليمة"), ("Maryam", "مريم"),
        ("Indah", "إنداه"), ("Kartini", "كارتيني"), ("Rohani", "روحاني"), ("Zainab", "زينب"),
        ("Umi", "أمي"), ("Sumarni", "سومارني"), ("Hartini", "هارتيني"), ("Mardiyah", "مرضية"),
        ("Nurjanah", "نورجنة"), ("Hasanah", "حسنة"), ("Rukiah", "رقية"), ("Yati", "ياتي"),
        ("Murni", "مورني"),
    ),
    family=(
        ("Santoso", "سانتوسو"), ("Wijaya", "ويجايا"), ("Hidayat", "هدايت"),
        ("Saputra", "سابوترا"), ("Nugroho", "نوغروهو"), ("Setiawan", "سيتياوان"),
        ("Kurniawan", "كورنياوان"), ("Pratama", "براتاما"), ("Rahman", "رحمن"),
        ("Nasution", "ناسوتيون"), ("Lubis", "لوبيس"), ("Siregar", "سيريغار"),
        ("Harahap", "هاراهاب"), ("Hakim", "حكيم"), ("Syahputra", "شاهبوترا"),
        ("Susanto", "سوسانتو"), ("Gunawan", "غوناوان"), ("Firmansyah", "فرمانشاه"),
        ("Ramadhan", "رمضان"), ("Wibowo", "ويبووو"), ("Suryadi", "سوريادي"), ("Effendi", "أفندي"),
        ("Sulaiman", "سليمان"), ("Hasibuan", "هاسيبوان"), ("Purnomo", "بورنومو"),
        ("Siswanto", "سيسوانتو"),
    ),
    lineage="loose",
    female_family=(
        ("Lestari", "ليستاري"), ("Rahayu", "رهايو"), ("Handayani", "هاندياني"),
        ("Wulandari", "وولانداري"), ("Kusumawati", "كوسوماواتي"), ("Puspitasari", "بوسبيتاساري"),
        ("Saputri", "سابوتري"), ("Anggraini", "أنغرايني"),
    ),
    female_family_share=0.35,
    male_prefixes=(
        ("Muhammad", "محمد"), ("Muhammad", "محمد"), ("Ahmad", "أحمد"), ("Mochamad", "محمد"),
    ),
    female_prefixes=(("Siti", "سيتي"), ("Siti", "سيتي"), ("Sri", "سري"), ("Nur", "نور")),
    prefix_share=0.35,
)  # fmt: skip

_MALAY = NamingCulture(
    male=(
        ("Hafiz", "حافظ"), ("Aiman", "أيمن"), ("Faiz", "فائز"), ("Azman", "أزمان"),
        ("Zulkifli", "ذو الكفل"), ("Rosli", "روسلي"), ("Razak", "رزاق"), ("Ismail", "إسماعيل"),
        ("Hamzah", "حمزة"), ("Shahrul", "شهرول"), ("Firdaus", "فردوس"), ("Syafiq", "شفيق"),
        ("Haziq", "حاذق"), ("Danial", "دانيال"), ("Faizal", "فيصل"), ("Azlan", "أزلان"),
        ("Hakim", "حكيم"), ("Ridzuan", "رضوان"), ("Zainal", "زينل"), ("Roslan", "روسلان"),
        ("Kamal", "كمال"), ("Hisham", "هشام"), ("Iskandar", "إسكندر"), ("Yusri", "يسري"),
        ("Nazri", "نظري"), ("Anuar", "أنوار"), ("Mazlan", "مزلان"), ("Khairul", "خيرول"),
    ),
    female=(
        ("Aisyah", "عائشة"), ("Aminah", "آمنة"), ("Fatimah", "فاطمة"), ("Zarina", "زارينا"),
        ("Faridah", "فريدة"), ("Rohana", "روحانا"), ("Salmah", "سلمى"), ("Azizah", "عزيزة"),
        ("Rosnah", "روسنه"), ("Noraini", "نورعيني"), ("Hasnah", "حسنة"), ("Zaleha", "زليخة"),
        ("Norhayati", "نورحياتي"), ("Rahimah", "رحيمة"), ("Suraya", "ثريا"), ("Nabilah", "نبيلة"),
        ("Syafiqah", "شفيقة"), ("Izzati", "عزتي"), ("Farhana", "فرحانة"), ("Amirah", "أميرة"),
        ("Hidayah", "هداية"), ("Maisarah", "ميسرة"), ("Zuraidah", "زريدة"), ("Khadijah", "خديجة"),
        ("Sharifah", "شريفة"), ("Hajar", "هاجر"),
    ),
    # Malays carry no family name: these are the fathers' names that follow "bin" and "binti".
    family=(
        ("Ahmad", "أحمد"), ("Abdullah", "عبدالله"), ("Ismail", "إسماعيل"), ("Hassan", "حسن"),
        ("Ibrahim", "إبراهيم"), ("Othman", "عثمان"), ("Yusof", "يوسف"), ("Omar", "عمر"),
        ("Mohamad", "محمد"), ("Abdul Rahman", "عبد الرحمن"), ("Abdul Razak", "عبد الرزاق"),
        ("Hamid", "حميد"), ("Salleh", "صالح"), ("Hussin", "حسين"), ("Mahmud", "محمود"),
        ("Sulaiman", "سليمان"), ("Zakaria", "زكريا"), ("Yaakob", "يعقوب"), ("Idris", "إدريس"),
        ("Daud", "داود"), ("Musa", "موسى"), ("Harun", "هارون"), ("Abu Bakar", "أبو بكر"),
        ("Jaafar", "جعفر"), ("Kassim", "قاسم"), ("Ali", "علي"),
    ),
    lineage="malay",
    male_prefixes=(("Muhammad", "محمد"), ("Mohd", "محمد"), ("Mohd", "محمد"), ("Ahmad", "أحمد")),
    female_prefixes=(("Nur", "نور"), ("Nur", "نور"), ("Siti", "سيتي"), ("Nurul", "نور")),
    prefix_share=0.45,
)  # fmt: skip

_PAKISTANI = NamingCulture(
    male=(
        ("Imran", "عمران"), ("Asif", "آصف"), ("Tariq", "طارق"), ("Irfan", "عرفان"),
        ("Kashif", "کاشف"), ("Naveed", "نوید"), ("Shahid", "شاہد"), ("Zahid", "زاہد"),
        ("Sajid", "ساجد"), ("Khalid", "خالد"), ("Rashid", "راشد"), ("Arshad", "ارشد"),
        ("Aslam", "اسلم"), ("Akram", "اکرم"), ("Nadeem", "ندیم"), ("Faisal", "فیصل"),
        ("Usman", "عثمان"), ("Bilal", "بلال"), ("Hamza", "حمزہ"), ("Waqas", "وقاص"),
        ("Adnan", "عدنان"), ("Pervaiz", "پرویز"), ("Nawaz", "نواز"), ("Saleem", "سلیم"),
        ("Yousaf", "یوسف"), ("Ghulam Rasool", "غلام رسول"), ("Abdul Ghafoor", "عبدالغفور"),
        ("Mushtaq", "مشتاق"), ("Ishtiaq", "اشتیاق"), ("Zafar", "ظفر"),
    ),
    female=(
        ("Ayesha", "عائشہ"), ("Fatima", "فاطمہ"), ("Khadija", "خدیجہ"), ("Zainab", "زینب"),
        ("Shazia", "شازیہ"), ("Nasreen", "نسرین"), ("Rubina", "روبینہ"), ("Samina", "ثمینہ"),
        ("Parveen", "پروین"), ("Shabnam", "شبنم"), ("Naseem", "نسیم"), ("Rukhsana", "رخسانہ"),
        ("Saima", "صائمہ"), ("Asma", "اسماء"), ("Bushra", "بشری"), ("Uzma", "عظمی"),
        ("Nighat", "نگہت"), ("Tahira", "طاہرہ"), ("Shamim", "شمیم"), ("Kausar", "کوثر"),
        ("Yasmeen", "یاسمین"), ("Farzana", "فرزانہ"), ("Sadia", "سعدیہ"), ("Hina", "حنا"),
        ("Amna", "آمنہ"), ("Mehwish", "مہوش"), ("Razia", "رضیہ"), ("Naila", "نائلہ"),
    ),
    family=(
        ("Khan", "خان"), ("Ahmed", "احمد"), ("Hussain", "حسین"), ("Ali", "علی"),
        ("Qureshi", "قریشی"), ("Sheikh", "شیخ"), ("Malik", "ملک"), ("Chaudhry", "چودھری"),
        ("Butt", "بٹ"), ("Raza", "رضا"), ("Siddiqui", "صدیقی"), ("Ansari", "انصاری"),
        ("Shah", "شاہ"), ("Mirza", "مرزا"), ("Abbasi", "عباسی"), ("Rajput", "راجپوت"),
        ("Awan", "اعوان"), ("Javed", "جاوید"), ("Iqbal", "اقبال"), ("Akhtar", "اختر"),
        ("Mahmood", "محمود"), ("Baig", "بیگ"), ("Hashmi", "ہاشمی"), ("Rizvi", "رضوی"),
        ("Bukhari", "بخاری"), ("Gillani", "گیلانی"), ("Khattak", "خٹک"),
        ("Yousafzai", "یوسفزئی"), ("Afridi", "آفریدی"), ("Soomro", "سومرو"), ("Bhatti", "بھٹی"),
        ("Niazi", "نیازی"), ("Cheema", "چیمہ"),
    ),
    female_family=(("Bibi", "بی بی"), ("Begum", "بیگم"), ("Khatoon", "خاتون")),
    female_family_share=0.2,
    male_prefixes=(
        ("Muhammad", "محمد"), ("Muhammad", "محمد"), ("Muhammad", "محمد"), ("Syed", "سید"),
    ),
    female_prefixes=(("Syeda", "سیدہ"),),
    prefix_share=0.45,
)  # fmt: skip

_INDIAN = NamingCulture(
    male=(
        ("Abdul Rahim", "عبدالرحیم"), ("Salim", "سلیم"), ("Rafiq", "رفیق"), ("Irfan", "عرفان"),
        ("Aamir", "عامر"), ("Shahnawaz", "شاہنواز"), ("Faizan", "فیضان"), ("Nasir", "ناصر"),
        ("Imtiyaz", "امتیاز"), ("Javed", "جاوید"), ("Anwar", "انور"), ("Akbar", "اکبر"),
        ("Wasim", "وسیم"), ("Asif", "آصف"), ("Rizwan", "رضوان"), ("Zubair", "زبیر"),
        ("Sarfaraz", "سرفراز"), ("Mustafa", "مصطفی"), ("Abdul Majeed", "عبدالمجید"),
        ("Basheer", "بشیر"), ("Haneef", "حنیف"), ("Ashraf", "اشرف"), ("Yusuf", "یوسف"),
        ("Shakeel", "شکیل"), ("Jameel", "جمیل"), ("Riyaz", "ریاض"), ("Nisar", "نثار"),
    ),
    female=(
        ("Shabana", "شبانہ"), ("Nazia", "نازیہ"), ("Farida", "فریدہ"), ("Rehana", "ریحانہ"),
        ("Shaheen", "شاہین"), ("Sultana", "سلطانہ"), ("Salma", "سلمی"), ("Tabassum", "تبسم"),
        ("Zeenat", "زینت"), ("Naseema", "نسیمہ"), ("Khatija", "خدیجہ"), ("Ameena", "آمنہ"),
        ("Fathima", "فاطمہ"), ("Ayesha", "عائشہ"), ("Mumtaz", "ممتاز"), ("Razia", "رضیہ"),
        ("Shagufta", "شگفتہ"), ("Yasmin", "یاسمین"), ("Heena", "حنا"), ("Nargis", "نرگس"),
        ("Afreen", "آفرین"), ("Gulshan", "گلشن"), ("Zubeda", "زبیدہ"), ("Noorjahan", "نورجہاں"),
        ("Saira", "سائرہ"),
    ),
    family=(
        ("Ansari", "انصاری"), ("Qureshi", "قریشی"), ("Siddiqui", "صدیقی"), ("Khan", "خان"),
        ("Shaikh", "شیخ"), ("Pathan", "پٹھان"), ("Syed", "سید"), ("Farooqui", "فاروقی"),
        ("Hashmi", "ہاشمی"), ("Rizvi", "رضوی"), ("Naqvi", "نقوی"), ("Patel", "پٹیل"),
        ("Memon", "میمن"), ("Mirza", "مرزا"), ("Baig", "بیگ"), ("Kazmi", "کاظمی"),
        ("Abidi", "عابدی"), ("Malik", "ملک"), ("Usmani", "عثمانی"), ("Nadvi", "ندوی"),
        ("Azmi", "اعظمی"), ("Chishti", "چشتی"), ("Bhat", "بٹ"), ("Lone", "لون"), ("Dar", "ڈار"),
        ("Mohammed", "محمد"), ("Ahmed", "احمد"),
    ),
    female_family=(("Begum", "بیگم"), ("Khatoon", "خاتون"), ("Bano", "بانو")),
    female_family_share=0.25,
    male_prefixes=(("Mohammed", "محمد"), ("Mohammed", "محمد"), ("Mohd", "محمد"), ("Syed", "سید")),
    female_prefixes=(("Syeda", "سیدہ"),),
    prefix_share=0.35,
)  # fmt: skip

_BANGLADESHI = NamingCulture(
    male=(
        ("Abdul Karim", "عبد الكريم"), ("Abdul Hamid", "عبد الحميد"),
        ("Abdul Mannan", "عبد المنان"), ("Abdul Awal", "عبد الأول"), ("Abul Kalam", "أبو الكلام"),
        ("Abu Taher", "أبو طاهر"), ("Jamal", "جمال"), ("Kamal", "كمال"),
        ("Jahangir", "جهانغير"), ("Alamgir", "عالمغير"), ("Shahjahan", "شاه جهان"),
        ("Harun", "هارون"), ("Anwar", "أنور"), ("Belal", "بلال"), ("Delwar", "دلاور"),
        ("Faruk", "فاروق"), ("Golam Mostafa", "غلام مصطفى"), ("Helal", "هلال"),
        ("Jashim", "جاسم"), ("Mamun", "مأمون"), ("Masud", "مسعود"), ("Monir", "منير"),
        ("Rafiq", "رفيق"), ("Rubel", "روبيل"), ("Sohel", "سهيل"), ("Selim", "سليم"),
        ("Shahin", "شاهين"), ("Tofazzal", "تفضل"), ("Yunus", "يونس"), ("Zakir", "ذاكر"),
        ("Abdur Rashid", "عبد الرشيد"), ("Abdus Salam", "عبد السلام"),
    ),
    female=(
        ("Nasrin", "نسرين"), ("Fatema", "فاطمة"), ("Rokeya", "رقية"), ("Hasina", "حسينة"),
        ("Shahnaz", "شهناز"), ("Jesmin", "ياسمين"), ("Rahima", "رحيمة"), ("Salma", "سلمى"),
        ("Shirin", "شيرين"), ("Ayesha", "عائشة"), ("Kohinoor", "كوهينور"), ("Rowshan", "روشن"),
        ("Morjina", "مرجينة"), ("Anwara", "أنورة"), ("Shahida", "شهيدة"),
        ("Jahanara", "جهان آرا"), ("Laila", "ليلى"), ("Monowara", "منورة"), ("Feroza", "فيروزة"),
        ("Mahmuda", "محمودة"), ("Nurjahan", "نور جهان"), ("Taslima", "تسليمة"), ("Sufia", "صوفية"),
        ("Hosne Ara", "حسن آرا"), ("Rasheda", "راشدة"), ("Amena", "آمنة"),
    ),
    family=(
        ("Hossain", "حسين"), ("Ahmed", "أحمد"), ("Uddin", "الدين"), ("Chowdhury", "تشودري"),
        ("Sarkar", "سركار"), ("Miah", "ميا"), ("Alam", "عالم"), ("Haque", "حق"),
        ("Kabir", "كبير"), ("Karim", "كريم"), ("Sheikh", "شيخ"), ("Talukder", "تالوكدار"),
        ("Mollah", "ملا"), ("Bhuiyan", "بهويان"), ("Mondal", "موندال"), ("Howlader", "هاولادار"),
        ("Sikder", "سكدار"), ("Khan", "خان"), ("Siddique", "صديق"), ("Hasan", "حسن"),
        ("Ali", "علي"), ("Mahmud", "محمود"), ("Biswas", "بسواس"), ("Sarder", "سردار"),
        ("Munshi", "منشي"), ("Patwary", "بتواري"), ("Khandaker", "خاندكار"),
    ),
    lineage="loose",
    female_family=(
        ("Akter", "أختر"), ("Khatun", "خاتون"), ("Begum", "بيغم"), ("Sultana", "سلطانة"),
        ("Parvin", "بروين"), ("Nahar", "نهار"), ("Yasmin", "ياسمين"),
    ),
    female_family_share=0.75,
    male_prefixes=(("Md", "محمد"), ("Md", "محمد"), ("Md", "محمد"), ("Mohammad", "محمد")),
    female_prefixes=(("Mst", "مسماة"),),
    prefix_share=0.55,
    compounds=(
        (("Rafiqul", "رفيق"), ("Islam", "الإسلام")), (("Nurul", "نور"), ("Islam", "الإسلام")),
        (("Aminul", "أمين"), ("Islam", "الإسلام")), (("Shahidul", "شهيد"), ("Islam", "الإسلام")),
        (("Saiful", "سيف"), ("Islam", "الإسلام")), (("Shafiqul", "شفيق"), ("Islam", "الإسلام")),
        (("Rakibul", "رقيب"), ("Islam", "الإسلام")), (("Mahbubul", "محبوب"), ("Alam", "العالم")),
        (("Ashraful", "أشرف"), ("Alam", "العالم")), (("Anwarul", "أنوار"), ("Haque", "الحق")),
        (("Ziaul", "ضياء"), ("Haque", "الحق")), (("Enamul", "إنعام"), ("Haque", "الحق")),
        (("Mominul", "مؤمن"), ("Haque", "الحق")), (("Fazlul", "فضل"), ("Haque", "الحق")),
        (("Obaidul", "عبيد"), ("Haque", "الحق")), (("Mizanur", "ميزان"), ("Rahman", "الرحمن")),
        (("Habibur", "حبيب"), ("Rahman", "الرحمن")), (("Mujibur", "مجيب"), ("Rahman", "الرحمن")),
        (("Lutfur", "لطف"), ("Rahman", "الرحمن")), (("Ataur", "عطاء"), ("Rahman", "الرحمن")),
        (("Azizur", "عزيز"), ("Rahman", "الرحمن")), (("Khalilur", "خليل"), ("Rahman", "الرحمن")),
        (("Matiur", "مطيع"), ("Rahman", "الرحمن")), (("Kamrul", "قمر"), ("Hasan", "الحسن")),
        (("Mahmudul", "محمود"), ("Hasan", "الحسن")),
    ),
    compound_share=0.35,
)  # fmt: skip

_HAUSA = NamingCulture(
    male=(
        ("Abubakar", "أبوبكر"), ("Muhammadu", "محمد"), ("Aliyu", "علي"), ("Umaru", "عمر"),
        ("Usman", "عثمان"), ("Ibrahim", "إبراهيم"), ("Abdullahi", "عبدالله"), ("Sani", "ساني"),
        ("Musa", "موسى"), ("Yusuf", "يوسف"), ("Sulaiman", "سليمان"), ("Haruna", "هارون"),
        ("Bashir", "بشير"), ("Kabiru", "كبير"), ("Nasiru", "ناصر"), ("Shehu", "شيخ"),
        ("Garba", "غاربا"), ("Bala", "بالا"), ("Lawal", "لوال"), ("Abdulkadir", "عبد القادر"),
        ("Tijjani", "تجاني"), ("Murtala", "مرتضى"), ("Mustapha", "مصطفى"), ("Aminu", "أمين"),
        ("Sadiq", "صادق"), ("Ja'afar", "جعفر"), ("Danjuma", "دانجوما"), ("Isah", "عيسى"),
        ("Idris", "إدريس"), ("Yakubu", "يعقوب"), ("Hamisu", "خميس"), ("Audu", "داود"),
    ),
    female=(
        ("Aisha", "عائشة"), ("Fatima", "فاطمة"), ("Hauwa", "حواء"), ("Zainab", "زينب"),
        ("Hadiza", "خديجة"), ("Amina", "آمنة"), ("Maryam", "مريم"), ("Binta", "بنتا"),
        ("Hajara", "هاجر"), ("Rabi", "رابعة"), ("Halima", "حليمة"), ("Asma'u", "أسماء"),
        ("Safiya", "صفية"), ("Maimuna", "ميمونة"), ("Jamila", "جميلة"), ("Zulaihat", "زليخة"),
        ("Ramatu", "رحمة"), ("Khadija", "خديجة"), ("Habiba", "حبيبة"), ("Salamatu", "سلامة"),
        ("Balaraba", "بالارابا"), ("Rakiya", "رقية"), ("Hafsat", "حفصة"), ("Larai", "لاراي"),
        ("Ummi", "أمي"), ("Bilkisu", "بلقيس"), ("Saratu", "سارة"), ("Murjanatu", "مرجانة"),
    ),
    # Hausa surnames are, more often than not, the father's given name.
    family=(
        ("Bello", "بلو"), ("Abdullahi", "عبدالله"), ("Musa", "موسى"), ("Ibrahim", "إبراهيم"),
        ("Sani", "ساني"), ("Usman", "عثمان"), ("Garba", "غاربا"), ("Lawal", "لوال"),
        ("Aliyu", "علي"), ("Yusuf", "يوسف"), ("Suleiman", "سليمان"), ("Umar", "عمر"),
        ("Haruna", "هارون"), ("Idris", "إدريس"), ("Mohammed", "محمد"), ("Shehu", "شيخ"),
        ("Tijjani", "تجاني"), ("Adamu", "آدم"), ("Dahiru", "ظاهر"), ("Yakubu", "يعقوب"),
        ("Isa", "عيسى"), ("Bala", "بالا"), ("Gambo", "غامبو"), ("Abubakar", "أبوبكر"),
        ("Danladi", "دانلادي"), ("Mustapha", "مصطفى"), ("Yahaya", "يحيى"), ("Dikko", "ديكو"),
        ("Zubairu", "زبير"),
    ),
    lineage="father",
)  # fmt: skip

_PERSIAN = NamingCulture(
    male=(
        ("Mohammad", "محمد"), ("Ali", "علی"), ("Hossein", "حسین"), ("Reza", "رضا"),
        ("Mehdi", "مهدی"), ("Hassan", "حسن"), ("Abbas", "عباس"), ("Mohsen", "محسن"),
        ("Ahmad", "احمد"), ("Javad", "جواد"), ("Majid", "مجید"), ("Hamid", "حمید"),
        ("Saeed", "سعید"), ("Morteza", "مرتضی"), ("Mostafa", "مصطفی"), ("Gholamreza", "غلامرضا"),
        ("Mahmoud", "محمود"), ("Ebrahim", "ابراهیم"), ("Akbar", "اکبر"), ("Asghar", "اصغر"),
        ("Jafar", "جعفر"), ("Ghasem", "قاسم"), ("Masoud", "مسعود"), ("Hamidreza", "حمیدرضا"),
        ("Mohammadreza", "محمدرضا"), ("Alireza", "علیرضا"), ("Abolfazl", "ابوالفضل"),
        ("Behrouz", "بهروز"), ("Parviz", "پرویز"), ("Nasser", "ناصر"), ("Kazem", "کاظم"),
    ),
    female=(
        ("Zahra", "زهرا"), ("Fatemeh", "فاطمه"), ("Maryam", "مریم"), ("Masoumeh", "معصومه"),
        ("Sakineh", "سکینه"), ("Zeinab", "زینب"), ("Robabeh", "ربابه"), ("Khadijeh", "خدیجه"),
        ("Tahereh", "طاهره"), ("Marzieh", "مرضیه"), ("Soghra", "صغری"), ("Kobra", "کبری"),
        ("Roghayeh", "رقیه"), ("Azam", "اعظم"), ("Batoul", "بتول"), ("Leila", "لیلا"),
        ("Narges", "نرگس"), ("Parvin", "پروین"), ("Mahin", "مهین"), ("Shahnaz", "شهناز"),
        ("Fereshteh", "فرشته"), ("Mina", "مینا"), ("Elham", "الهام"), ("Somayeh", "سمیه"),
        ("Monireh", "منیره"), ("Mahboubeh", "محبوبه"), ("Fariba", "فریبا"), ("Zhila", "ژیلا"),
        ("Pouran", "پوران"),
    ),
    family=(
        ("Hosseini", "حسینی"), ("Mohammadi", "محمدی"), ("Ahmadi", "احمدی"), ("Rezaei", "رضایی"),
        ("Moradi", "مرادی"), ("Karimi", "کریمی"), ("Jafari", "جعفری"), ("Rahimi", "رحیمی"),
        ("Hashemi", "هاشمی"), ("Mousavi", "موسوی"), ("Ghorbani", "قربانی"), ("Sadeghi", "صادقی"),
        ("Heidari", "حیدری"), ("Kazemi", "کاظمی"), ("Rostami", "رستمی"), ("Abbasi", "عباسی"),
        ("Amiri", "امیری"), ("Najafi", "نجفی"), ("Ebrahimi", "ابراهیمی"), ("Salehi", "صالحی"),
        ("Alizadeh", "علیزاده"), ("Sharifi", "شریفی"), ("Ghasemi", "قاسمی"), ("Akbari", "اکبری"),
        ("Zarei", "زارعی"), ("Bagheri", "باقری"), ("Soltani", "سلطانی"), ("Yazdani", "یزدانی"),
        ("Esfahani", "اصفهانی"), ("Golzari", "گلزاری"), ("Jahangiri", "جهانگیری"),
    ),
)  # fmt: skip

_AFGHAN = NamingCulture(
    male=(
        ("Abdul Rahim", "عبدالرحیم"), ("Gul Ahmad", "گل احمد"), ("Mohammad Nabi", "محمد نبی"),
        ("Naqibullah", "نقیب الله"), ("Zabihullah", "ذبیح الله"), ("Hamidullah", "حمید الله"),
        ("Mirwais", "میرویس"), ("Ahmad Shah", "احمد شاه"), ("Abdul Qadir", "عبدالقادر"),
        ("Nasir", "ناصر"), ("Farid", "فرید"), ("Sayed Agha", "سید آغا"),
        ("Habibullah", "حبیب الله"), ("Khalid", "خالد"), ("Wahidullah", "وحید الله"),
        ("Rahmatullah", "رحمت الله"), ("Ghulam Sakhi", "غلام سخی"), ("Nasrullah", "نصرالله"),
        ("Jawed", "جاوید"), ("Qudratullah", "قدرت الله"),
    ),
    female=(
        ("Fatima", "فاطمه"), ("Zarghona", "زرغونه"), ("Malalai", "ملالی"), ("Nazia", "نازیه"),
        ("Shukria", "شکریه"), ("Gul Bibi", "گل بی بی"), ("Freshta", "فرشته"), ("Mariam", "مریم"),
        ("Nafisa", "نفیسه"), ("Shakila", "شکیله"), ("Nasima", "نسیمه"), ("Zakia", "زکیه"),
        ("Bibi Gul", "بی بی گل"), ("Hamida", "حمیده"), ("Parwana", "پروانه"), ("Latifa", "لطیفه"),
        ("Sima", "سیما"), ("Nooria", "نوریه"), ("Rahima", "رحیمه"), ("Khadija", "خدیجه"),
    ),
    family=(
        ("Ahmadzai", "احمدزی"), ("Popal", "پوپل"), ("Wardak", "وردک"), ("Karimi", "کریمی"),
        ("Hashimi", "هاشمی"), ("Stanekzai", "ستانکزی"), ("Safi", "صافی"), ("Noori", "نوری"),
        ("Rahimi", "رحیمی"), ("Amiri", "امیری"), ("Sultani", "سلطانی"), ("Habibi", "حبیبی"),
        ("Haidari", "حیدری"), ("Sadat", "سادات"), ("Mohammadi", "محمدی"), ("Durrani", "درانی"),
        ("Barakzai", "بارکزی"), ("Achakzai", "اچکزی"), ("Mangal", "منگل"), ("Niazi", "نیازی"),
        ("Samadi", "صمدی"), ("Nazari", "نظری"), ("Azizi", "عزیزی"),
    ),
)  # fmt: skip

_TURKISH = NamingCulture(
    male=(
        ("Mehmet", "محمد"), ("Mustafa", "مصطفى"), ("Ahmet", "أحمد"), ("Ali", "علي"),
        ("Hüseyin", "حسين"), ("Hasan", "حسن"), ("İbrahim", "إبراهيم"), ("İsmail", "إسماعيل"),
        ("Osman", "عثمان"), ("Yusuf", "يوسف"), ("Murat", "مراد"), ("Ömer", "عمر"),
        ("Ramazan", "رمضان"), ("Halil", "خليل"), ("Süleyman", "سليمان"), ("Abdullah", "عبدالله"),
        ("Mahmut", "محمود"), ("Recep", "رجب"), ("Salih", "صالح"), ("Kemal", "كمال"),
        ("Orhan", "أورهان"), ("Yaşar", "ياشار"), ("Adem", "آدم"), ("Bayram", "بيرم"),
        ("Musa", "موسى"), ("Hamza", "حمزة"), ("Fatih", "فاتح"), ("Emin", "أمين"),
    ),
    female=(
        ("Ayşe", "عائشة"), ("Fatma", "فاطمة"), ("Emine", "أمينة"), ("Hatice", "خديجة"),
        ("Zeynep", "زينب"), ("Elif", "أليف"), ("Meryem", "مريم"), ("Şerife", "شريفة"),
        ("Zehra", "زهراء"), ("Sultan", "سلطان"), ("Hanife", "حنيفة"), ("Havva", "حواء"),
        ("Zeliha", "زليخة"), ("Rukiye", "رقية"), ("Hacer", "هاجر"), ("Esma", "أسماء"),
        ("Hülya", "هوليا"), ("Songül", "سونغول"), ("Gülsüm", "غولسوم"), ("Nuriye", "نورية"),
        ("Saadet", "سعادة"), ("Melek", "ملك"), ("Kadriye", "قدرية"), ("Naciye", "ناجية"),
        ("Güler", "غولر"), ("Medine", "مدينة"), ("Fadime", "فاديمة"), ("Cemile", "جميلة"),
    ),
    family=(
        ("Yılmaz", "يلماز"), ("Kaya", "قايا"), ("Demir", "دمير"), ("Şahin", "شاهين"),
        ("Çelik", "تشيليك"), ("Öztürk", "أوزتورك"), ("Aydın", "أيدن"), ("Özdemir", "أوزدمير"),
        ("Arslan", "أرسلان"), ("Doğan", "دوغان"), ("Kılıç", "كليتش"), ("Aslan", "أصلان"),
        ("Çetin", "تشتين"), ("Kara", "قره"), ("Koç", "كوتش"), ("Kurt", "كورت"),
        ("Özkan", "أوزكان"), ("Şimşek", "شيمشك"), ("Polat", "بولات"), ("Erdem", "أردم"),
        ("Yıldız", "يلدز"), ("Yıldırım", "يلدريم"), ("Aktaş", "آقطاش"), ("Güneş", "غونش"),
        ("Tekin", "تكين"), ("Bulut", "بولوت"), ("Keskin", "كسكين"), ("Acar", "آجار"),
    ),
    wife_takes_surname=True,
)  # fmt: skip

_EGYPTIAN = NamingCulture(
    male=(
        ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Mahmoud", "محمود"), ("Mostafa", "مصطفى"),
        ("Hassan", "حسن"), ("Hussein", "حسين"), ("Ali", "علي"), ("Ibrahim", "إبراهيم"),
        ("Abdel Rahman", "عبد الرحمن"), ("Abdallah", "عبد الله"), ("Khaled", "خالد"),
        ("Tarek", "طارق"), ("Sayed", "سيد"), ("Gamal", "جمال"), ("Adel", "عادل"),
        ("Ashraf", "أشرف"), ("Hany", "هاني"), ("Hesham", "هشام"), ("Osama", "أسامة"),
        ("Amr", "عمرو"), ("Yasser", "ياسر"), ("Wael", "وائل"), ("Magdy", "مجدي"),
        ("Samir", "سمير"), ("Fathy", "فتحي"), ("Reda", "رضا"), ("Abdel Aziz", "عبد العزيز"),
        ("Ragab", "رجب"), ("Shaaban", "شعبان"), ("Ramadan", "رمضان"),
    ),
    female=(
        ("Fatma", "فاطمة"), ("Aisha", "عائشة"), ("Mona", "منى"), ("Amal", "أمل"),
        ("Hanan", "حنان"), ("Samia", "سامية"), ("Nadia", "نادية"), ("Soad", "سعاد"),
        ("Hoda", "هدى"), ("Zeinab", "زينب"), ("Nagwa", "نجوى"), ("Sahar", "سحر"),
        ("Eman", "إيمان"), ("Heba", "هبة"), ("Asmaa", "أسماء"), ("Doaa", "دعاء"),
        ("Marwa", "مروة"), ("Sabah", "صباح"), ("Karima", "كريمة"), ("Nabila", "نبيلة"),
        ("Safaa", "صفاء"), ("Wafaa", "وفاء"), ("Azza", "عزة"), ("Samira", "سميرة"),
        ("Enas", "إيناس"), ("Aziza", "عزيزة"), ("Naema", "نعيمة"),
    ),
    family=(
        ("Abdel Rahman", "عبد الرحمن"), ("Mohamed", "محمد"), ("Ahmed", "أحمد"),
        ("Hassan", "حسن"), ("Mahmoud", "محمود"), ("Ibrahim", "إبراهيم"), ("Ali", "علي"),
        ("Mostafa", "مصطفى"), ("El Sayed", "السيد"), ("Abdel Aziz", "عبد العزيز"),
        ("Abdel Fattah", "عبد الفتاح"), ("Abdel Hamid", "عبد الحميد"), ("Salem", "سالم"),
        ("Soliman", "سليمان"), ("Khalil", "خليل"), ("Mansour", "منصور"), ("Farag", "فرج"),
        ("Eid", "عيد"), ("Youssef", "يوسف"), ("Hamed", "حامد"), ("Moussa", "موسى"),
        ("Gad", "جاد"), ("Shehata", "شحاتة"), ("El Masry", "المصري"),
        ("Abdel Latif", "عبد اللطيف"), ("Ismail", "إسماعيل"), ("Fawzy", "فوزي"),
        ("Badawi", "بدوي"),
    ),
    patronymic_share=0.7,
)  # fmt: skip

# Algeria, Morocco and Tunisia share most given names, spelled the French way.
_MAGHREB_MALE: tuple[Name, ...] = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Abdelkader", "عبد القادر"), ("Mustapha", "مصطفى"),
    ("Rachid", "رشيد"), ("Karim", "كريم"), ("Said", "سعيد"), ("Brahim", "إبراهيم"),
    ("Abdellah", "عبد الله"), ("Abderrahmane", "عبد الرحمن"), ("Noureddine", "نور الدين"),
    ("Kamel", "كمال"), ("Mourad", "مراد"), ("Hamid", "حميد"), ("Abdelaziz", "عبد العزيز"),
    ("Tahar", "الطاهر"), ("Slimane", "سليمان"), ("Hassan", "حسن"), ("Aziz", "عزيز"),
    ("Mokhtar", "مختار"), ("Ali", "علي"), ("Omar", "عمر"), ("Salah", "صلاح"),
)  # fmt: skip
_MAGHREB_FEMALE: tuple[Name, ...] = (
    ("Fatima", "فاطمة"), ("Aicha", "عائشة"), ("Fatiha", "فتيحة"), ("Malika", "مليكة"),
    ("Zohra", "زهرة"), ("Naima", "نعيمة"), ("Samira", "سميرة"), ("Nadia", "نادية"),
    ("Rachida", "رشيدة"), ("Saida", "سعيدة"), ("Halima", "حليمة"), ("Latifa", "لطيفة"),
    ("Souad", "سعاد"), ("Meriem", "مريم"), ("Nabila", "نبيلة"), ("Hayat", "حياة"),
    ("Faiza", "فايزة"), ("Leila", "ليلى"), ("Mounira", "منيرة"), ("Karima", "كريمة"),
    ("Khadija", "خديجة"), ("Amina", "أمينة"),
)  # fmt: skip

_ALGERIAN = NamingCulture(
    male=(
        *_MAGHREB_MALE,
        ("Youcef", "يوسف"), ("Djamel", "جمال"), ("Hocine", "حسين"), ("Boualem", "بوعلام"),
        ("Lakhdar", "الأخضر"), ("Mohand", "محند"),
    ),
    female=(
        *_MAGHREB_FEMALE,
        ("Djamila", "جميلة"), ("Yamina", "يمينة"), ("Ouardia", "وردية"), ("Houria", "حورية"),
        ("Khadidja", "خديجة"),
    ),
    family=(
        ("Benali", "بن علي"), ("Bouzid", "بوزيد"), ("Belkacem", "بلقاسم"),
        ("Benahmed", "بن أحمد"), ("Boukhari", "بوخاري"), ("Haddad", "حداد"),
        ("Mansouri", "منصوري"), ("Saidi", "سعيدي"), ("Cherif", "شريف"), ("Hamidi", "حميدي"),
        ("Meziane", "مزيان"), ("Brahimi", "براهيمي"), ("Khelifi", "خليفي"), ("Zerrouki", "زروقي"),
        ("Bouaziz", "بوعزيز"), ("Ouali", "والي"), ("Ait Ahmed", "آيت أحمد"), ("Benamar", "بن عمر"),
        ("Boudiaf", "بوضياف"), ("Mebarki", "مباركي"), ("Belhadj", "بلحاج"), ("Rahmani", "رحماني"),
        ("Lounis", "لونيس"), ("Bensalem", "بن سالم"), ("Djebbar", "جبار"), ("Hadjadj", "حجاج"),
    ),
)  # fmt: skip

_MOROCCAN = NamingCulture(
    male=(
        *_MAGHREB_MALE,
        ("Youssef", "يوسف"), ("Lahcen", "لحسن"), ("Mbarek", "مبارك"), ("Driss", "إدريس"),
        ("Abdellatif", "عبد اللطيف"),
    ),
    female=(
        *_MAGHREB_FEMALE,
        ("Fatna", "فاطنة"), ("Mbarka", "مباركة"), ("Hafsa", "حفصة"), ("Touria", "ثريا"),
        ("Zineb", "زينب"),
    ),
    family=(
        ("Alaoui", "العلوي"), ("El Idrissi", "الإدريسي"), ("Bennani", "بناني"), ("Tazi", "التازي"),
        ("Berrada", "برادة"), ("El Fassi", "الفاسي"), ("Amrani", "العمراني"),
        ("Benjelloun", "بنجلون"), ("Chraibi", "الشرايبي"), ("Lahlou", "لحلو"),
        ("Benkirane", "بنكيران"), ("Ouazzani", "الوزاني"), ("Tahiri", "الطاهري"),
        ("Bouzidi", "البوزيدي"), ("Naciri", "الناصري"), ("Slaoui", "السلاوي"),
        ("Ziani", "الزياني"), ("El Mansouri", "المنصوري"), ("Hajji", "الحاجي"),
        ("Kettani", "الكتاني"), ("Belhaj", "بلحاج"), ("Cherkaoui", "الشرقاوي"),
        ("Filali", "الفيلالي"), ("Sebti", "السبتي"), ("Rachidi", "الرشيدي"), ("Ait Ali", "آيت علي"),
    ),
)  # fmt: skip

_TUNISIAN = NamingCulture(
    male=(
        *_MAGHREB_MALE,
        ("Moncef", "منصف"), ("Chokri", "شكري"), ("Faouzi", "فوزي"), ("Habib", "حبيب"),
        ("Mongi", "منجي"),
    ),
    female=(
        *_MAGHREB_FEMALE,
        ("Monia", "منية"), ("Hela", "هالة"), ("Najet", "نجاة"), ("Sihem", "سهام"),
        ("Zeineb", "زينب"),
    ),
    family=(
        ("Trabelsi", "الطرابلسي"), ("Ben Salah", "بن صالح"), ("Jebali", "الجبالي"),
        ("Gharbi", "الغربي"), ("Mejri", "الماجري"), ("Chaabane", "شعبان"), ("Ben Ali", "بن علي"),
        ("Hammami", "الحمامي"), ("Ayari", "العياري"), ("Dridi", "الدريدي"), ("Jlassi", "الجلاصي"),
        ("Sassi", "ساسي"), ("Zouari", "الزواري"), ("Bouazizi", "البوعزيزي"),
        ("Mabrouk", "مبروك"), ("Ben Amor", "بن عمر"), ("Masmoudi", "المصمودي"),
        ("Khemiri", "الخميري"), ("Riahi", "الرياحي"), ("Chebbi", "الشابي"), ("Karoui", "القروي"),
        ("Ben Youssef", "بن يوسف"), ("Tlili", "التليلي"), ("Hamdi", "حمدي"),
        ("Ferchichi", "الفرشيشي"),
    ),
)  # fmt: skip

_GULF = NamingCulture(
    male=(
        ("Abdullah", "عبدالله"), ("Mohammed", "محمد"), ("Abdulaziz", "عبدالعزيز"),
        ("Abdulrahman", "عبدالرحمن"), ("Fahad", "فهد"), ("Khalid", "خالد"), ("Saud", "سعود"),
        ("Faisal", "فيصل"), ("Sultan", "سلطان"), ("Turki", "تركي"), ("Nasser", "ناصر"),
        ("Saad", "سعد"), ("Saleh", "صالح"), ("Ibrahim", "إبراهيم"), ("Ahmed", "أحمد"),
        ("Omar", "عمر"), ("Majed", "ماجد"), ("Bandar", "بندر"), ("Mishari", "مشاري"),
        ("Nawaf", "نواف"), ("Talal", "طلال"), ("Mansour", "منصور"), ("Hamad", "حمد"),
        ("Ali", "علي"), ("Yousef", "يوسف"), ("Abdulmajeed", "عبدالمجيد"), ("Badr", "بدر"),
        ("Mutlaq", "مطلق"), ("Ghazi", "غازي"), ("Sami", "سامي"),
    ),
    female=(
        ("Nourah", "نورة"), ("Sarah", "سارة"), ("Fatimah", "فاطمة"), ("Aljawharah", "الجوهرة"),
        ("Hessa", "حصة"), ("Lulwah", "لولوة"), ("Munira", "منيرة"), ("Reem", "ريم"),
        ("Haifa", "هيفاء"), ("Latifa", "لطيفة"), ("Moudhi", "موضي"), ("Amal", "أمل"),
        ("Hind", "هند"), ("Maha", "مها"), ("Abeer", "عبير"), ("Nouf", "نوف"),
        ("Sultanah", "سلطانة"), ("Mashael", "مشاعل"), ("Badriyah", "بدرية"), ("Dalal", "دلال"),
        ("Hanan", "حنان"), ("Asma", "أسماء"), ("Khadijah", "خديجة"), ("Aishah", "عائشة"),
        ("Shaikha", "شيخة"), ("Wadha", "وضحى"), ("Hailah", "هيلة"), ("Ghadah", "غادة"),
    ),
    family=(
        ("Al-Qahtani", "القحطاني"), ("Al-Otaibi", "العتيبي"), ("Al-Ghamdi", "الغامدي"),
        ("Al-Zahrani", "الزهراني"), ("Al-Shehri", "الشهري"), ("Al-Dosari", "الدوسري"),
        ("Al-Harbi", "الحربي"), ("Al-Mutairi", "المطيري"), ("Al-Anazi", "العنزي"),
        ("Al-Shammari", "الشمري"), ("Al-Subaie", "السبيعي"), ("Al-Malki", "المالكي"),
        ("Al-Amri", "العمري"), ("Al-Juhani", "الجهني"), ("Al-Rashidi", "الرشيدي"),
        ("Al-Asmari", "الأسمري"), ("Al-Yami", "اليامي"), ("Al-Qurashi", "القرشي"),
        ("Al-Tamimi", "التميمي"), ("Al-Sulami", "السلمي"), ("Al-Hazmi", "الحازمي"),
        ("Al-Sharif", "الشريف"), ("Al-Thaqafi", "الثقفي"), ("Al-Ahmari", "الأحمري"),
        ("Al-Balawi", "البلوي"), ("Al-Khaldi", "الخالدي"), ("Al-Shahrani", "الشهراني"),
    ),
    patronymic_share=0.5,
)  # fmt: skip

# Iraq, Jordan and Yemen: the same Arabic given names, each with its own families and tribes.
_MASHRIQ_MALE: tuple[Name, ...] = (
    ("Mohammed", "محمد"), ("Ahmed", "أحمد"), ("Ali", "علي"), ("Hussein", "حسين"),
    ("Hassan", "حسن"), ("Abbas", "عباس"), ("Haider", "حيدر"), ("Kadhim", "كاظم"),
    ("Mustafa", "مصطفى"), ("Omar", "عمر"), ("Bilal", "بلال"), ("Zaid", "زيد"), ("Yaser", "ياسر"),
    ("Firas", "فراس"), ("Ammar", "عمار"), ("Raad", "رعد"), ("Salah", "صلاح"), ("Qasim", "قاسم"),
    ("Nabil", "نبيل"), ("Tariq", "طارق"), ("Abdulkarim", "عبدالكريم"), ("Mahmoud", "محمود"),
    ("Ibrahim", "إبراهيم"), ("Saleh", "صالح"), ("Ayman", "أيمن"), ("Walid", "وليد"),
    ("Hamza", "حمزة"), ("Jassim", "جاسم"),
)  # fmt: skip
_MASHRIQ_FEMALE: tuple[Name, ...] = (
    ("Fatima", "فاطمة"), ("Zainab", "زينب"), ("Maryam", "مريم"), ("Huda", "هدى"),
    ("Suad", "سعاد"), ("Khadija", "خديجة"), ("Layla", "ليلى"), ("Nadia", "نادية"),
    ("Amal", "أمل"), ("Sana", "سناء"), ("Rasha", "رشا"), ("Raghad", "رغد"), ("Nour", "نور"),
    ("Hala", "هالة"), ("Rana", "رنا"), ("Samira", "سميرة"), ("Wafaa", "وفاء"), ("Iman", "إيمان"),
    ("Najla", "نجلاء"), ("Aseel", "أسيل"), ("Zahraa", "زهراء"), ("Rabab", "رباب"),
    ("Intisar", "انتصار"), ("Ibtisam", "ابتسام"), ("Fadia", "فادية"),
)  # fmt: skip

_IRAQI = NamingCulture(
    male=_MASHRIQ_MALE,
    female=_MASHRIQ_FEMALE,
    family=(
        ("Al-Jubouri", "الجبوري"), ("Al-Dulaimi", "الدليمي"), ("Al-Tamimi", "التميمي"),
        ("Al-Obaidi", "العبيدي"), ("Al-Shammari", "الشمري"), ("Al-Zubaidi", "الزبيدي"),
        ("Al-Khafaji", "الخفاجي"), ("Al-Saadi", "الساعدي"), ("Al-Musawi", "الموسوي"),
        ("Al-Hashimi", "الهاشمي"), ("Al-Rubaie", "الربيعي"), ("Al-Maliki", "المالكي"),
        ("Al-Azzawi", "العزاوي"), ("Al-Ani", "العاني"), ("Al-Janabi", "الجنابي"),
        ("Al-Kubaisi", "الكبيسي"), ("Al-Fatlawi", "الفتلاوي"), ("Al-Bayati", "البياتي"),
        ("Al-Khazraji", "الخزرجي"), ("Al-Lami", "اللامي"), ("Al-Issawi", "العيساوي"),
        ("Al-Hakim", "الحكيم"), ("Al-Mashhadani", "المشهداني"), ("Al-Husseini", "الحسيني"),
        ("Al-Qaisi", "القيسي"),
    ),
    patronymic_share=0.7,
)  # fmt: skip

_JORDANIAN = NamingCulture(
    male=_MASHRIQ_MALE,
    female=_MASHRIQ_FEMALE,
    family=(
        ("Al-Zoubi", "الزعبي"), ("Al-Khatib", "الخطيب"), ("Al-Masri", "المصري"),
        ("Al-Momani", "المومني"), ("Al-Majali", "المجالي"), ("Al-Rawashdeh", "الرواشدة"),
        ("Al-Otoom", "العتوم"), ("Al-Shawabkeh", "الشوابكة"), ("Al-Hiyari", "الحياري"),
        ("Abu Zaid", "أبو زيد"), ("Al-Qudah", "القضاة"), ("Bani Hani", "بني هاني"),
        ("Bani Yasin", "بني ياسين"), ("Al-Omari", "العمري"), ("Al-Tarawneh", "الطراونة"),
        ("Al-Khasawneh", "الخصاونة"), ("Obeidat", "عبيدات"), ("Al-Sharif", "الشريف"),
        ("Al-Nsour", "النسور"), ("Al-Fayez", "الفايز"), ("Al-Adwan", "العدوان"),
        ("Abu Hammour", "أبو حمور"), ("Al-Ajlouni", "العجلوني"), ("Al-Rifai", "الرفاعي"),
    ),
    patronymic_share=0.6,
)  # fmt: skip

_YEMENI = NamingCulture(
    male=_MASHRIQ_MALE,
    female=_MASHRIQ_FEMALE,
    family=(
        ("Al-Ahmar", "الأحمر"), ("Al-Hamdani", "الهمداني"), ("Al-Awlaqi", "العولقي"),
        ("Al-Yafei", "اليافعي"), ("Al-Hadrami", "الحضرمي"), ("Saleh", "صالح"),
        ("Al-Eryani", "الإرياني"), ("Al-Sanaani", "الصنعاني"), ("Al-Maqtari", "المقطري"),
        ("Al-Adeni", "العدني"), ("Al-Haddad", "الحداد"), ("Ba Wazir", "باوزير"),
        ("Al-Kathiri", "الكثيري"), ("Al-Shami", "الشامي"), ("Al-Mikhlafi", "المخلافي"),
        ("Al-Hakimi", "الحكيمي"), ("Al-Absi", "العبسي"), ("Al-Sharabi", "الشرعبي"),
        ("Al-Wesabi", "الوصابي"), ("Al-Qadhi", "القاضي"), ("Al-Zindani", "الزنداني"),
        ("Al-Hubaishi", "الحبيشي"), ("Bin Mahfouz", "بن محفوظ"), ("Al-Amoudi", "العمودي"),
        ("Al-Attas", "العطاس"),
    ),
    patronymic_share=0.8,
)  # fmt: skip

_SUDANESE = NamingCulture(
    male=(
        ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Osman", "عثمان"), ("Abdelrahim", "عبد الرحيم"),
        ("Elfatih", "الفاتح"), ("Hassan", "حسن"), ("Abdalla", "عبد الله"), ("Elsadig", "الصادق"),
        ("Babiker", "بابكر"), ("Mustafa", "مصطفى"), ("Omer", "عمر"), ("Ibrahim", "إبراهيم"),
        ("Elamin", "الأمين"), ("Hamid", "حامد"), ("Yousif", "يوسف"), ("Abbas", "عباس"),
        ("Elnour", "النور"), ("Suliman", "سليمان"), ("Ali", "علي"), ("Salih", "صالح"),
        ("Awad", "عوض"), ("Kamal", "كمال"), ("Tagelsir", "تاج السر"),
        ("Abdelmoneim", "عبد المنعم"), ("Elhadi", "الهادي"), ("Hamza", "حمزة"),
    ),
    female=(
        ("Fatima", "فاطمة"), ("Amna", "آمنة"), ("Khadija", "خديجة"), ("Aisha", "عائشة"),
        ("Zeinab", "زينب"), ("Hawa", "حواء"), ("Nafisa", "نفيسة"), ("Sumaya", "سمية"),
        ("Awadia", "عوضية"), ("Ikhlas", "إخلاص"), ("Ibtisam", "ابتسام"), ("Hanan", "حنان"),
        ("Nagat", "نجاة"), ("Suad", "سعاد"), ("Fathia", "فتحية"), ("Asia", "آسيا"),
        ("Mariam", "مريم"), ("Samia", "سامية"), ("Insaf", "إنصاف"), ("Hadia", "هادية"),
        ("Nemat", "نعمات"), ("Safia", "صفية"), ("Alawia", "علوية"), ("Hayat", "حياة"),
        ("Rabab", "رباب"),
    ),
    family=(
        ("Elhassan", "الحسن"), ("Osman", "عثمان"), ("Babiker", "بابكر"), ("Abdalla", "عبد الله"),
        ("Elamin", "الأمين"), ("Elsheikh", "الشيخ"), ("Ibrahim", "إبراهيم"), ("Mohamed", "محمد"),
        ("Ahmed", "أحمد"), ("Elbashir", "البشير"), ("Hamad", "حمد"), ("Eltayeb", "الطيب"),
        ("Musa", "موسى"), ("Adam", "آدم"), ("Yagoub", "يعقوب"), ("Ismail", "إسماعيل"),
        ("Abdelgadir", "عبد القادر"), ("Khalil", "خليل"), ("Idris", "إدريس"),
        ("Elnour", "النور"), ("Eltom", "التوم"), ("Hussein", "حسين"), ("Abbas", "عباس"),
        ("Elmahdi", "المهدي"), ("Gasim", "قاسم"),
    ),
    patronymic_share=0.9,
)  # fmt: skip

_UZBEK = NamingCulture(
    male=(
        ("Rustam", "رستم"), ("Akmal", "أكمل"), ("Bakhtiyor", "بختيار"), ("Sherzod", "شيرزود"),
        ("Jamshid", "جمشيد"), ("Farrukh", "فرخ"), ("Dilshod", "دلشاد"), ("Otabek", "أوتابيك"),
        ("Ulugbek", "أولوغبيك"), ("Abdulla", "عبد الله"), ("Anvar", "أنور"), ("Botir", "باتر"),
        ("Davron", "دوران"), ("Erkin", "أركين"), ("Ilhom", "إلهام"), ("Jasur", "جسور"),
        ("Kamol", "كمال"), ("Mansur", "منصور"), ("Nodir", "نادر"), ("Odil", "عادل"),
        ("Rahmatulla", "رحمة الله"), ("Sanjar", "سنجر"), ("Shavkat", "شوكت"), ("Timur", "تيمور"),
        ("Umid", "أميد"), ("Zafar", "ظفر"), ("Alisher", "عليشير"), ("Bahodir", "بهادر"),
        ("O'tkir", "أوتكير"),
    ),
    female=(
        ("Dilnoza", "دلنوزا"), ("Gulnora", "غولنورا"), ("Nodira", "نادرة"),
        ("Shahnoza", "شهنوزا"), ("Malika", "مليكة"), ("Zulfiya", "زلفية"), ("Mohira", "ماهرة"),
        ("Feruza", "فيروزة"), ("Dilfuza", "دلفوزا"), ("Gulchehra", "غولتشهرة"),
        ("Sabohat", "صباحت"), ("Nigora", "نيغورا"), ("Mukhlisa", "مخلصة"), ("Lola", "لولا"),
        ("Barno", "بارنو"), ("Saodat", "سعادت"), ("Mavjuda", "موجودة"), ("Hilola", "هلالة"),
        ("Umida", "أميدة"), ("Yulduz", "يولدوز"), ("Oysha", "عائشة"), ("Robiya", "رابعة"),
        ("Zuhra", "زهرة"), ("Nasiba", "نصيبة"), ("Mohinur", "ماهنور"), ("Sevara", "سيفارا"),
    ),
    family=(
        ("Abdullayev", "عبداللاييف"), ("Karimov", "كريموف"), ("Rakhimov", "رحيموف"),
        ("Yusupov", "يوسوبوف"), ("Usmonov", "عثمانوف"), ("Aliyev", "علييف"),
        ("Ismoilov", "إسماعيلوف"), ("Ergashev", "إرغاشيف"), ("Rashidov", "رشيدوف"),
        ("Nazarov", "نزاروف"), ("Saidov", "سعيدوف"), ("Sultonov", "سلطانوف"),
        ("Tursunov", "تورسونوف"), ("Mirzayev", "ميرزاييف"), ("Umarov", "عمروف"),
        ("Qodirov", "قديروف"), ("Sobirov", "صابروف"), ("Nurmatov", "نورماتوف"),
        ("Jurayev", "جوراييف"), ("Hamidov", "حميدوف"), ("Azimov", "عظيموف"),
        ("Rahmonov", "رحمانوف"), ("Xolmatov", "خولماتوف"), ("To'xtayev", "توختاييف"),
        ("Sharipov", "شريبوف"),
    ),
    feminine_surnames=True,
    wife_takes_surname=True,
)  # fmt: skip

_KAZAKH = NamingCulture(
    male=(
        ("Nurlan", "نورلان"), ("Yerlan", "يرلان"), ("Askar", "عسكر"), ("Serik", "سيريك"),
        ("Bolat", "بولات"), ("Daulet", "دولت"), ("Marat", "مارات"), ("Aidos", "أيدوس"),
        ("Nursultan", "نورسلطان"), ("Yerzhan", "يرجان"), ("Talgat", "طلعت"), ("Kairat", "قايرات"),
        ("Azamat", "عظمت"), ("Arman", "أرمان"), ("Baurzhan", "باورجان"), ("Zhandos", "جاندوس"),
        ("Timur", "تيمور"), ("Aibek", "أيبك"), ("Ruslan", "رسلان"), ("Nurbol", "نوربول"),
    ),
    female=(
        ("Aigul", "آيغول"), ("Gulnara", "غولنارا"), ("Aizhan", "آيجان"), ("Saule", "ساولي"),
        ("Dinara", "دينارا"), ("Zhanar", "جانار"), ("Aliya", "عالية"), ("Gulmira", "غولميرا"),
        ("Madina", "مدينة"), ("Asel", "أسل"), ("Botagoz", "بوتاغوز"), ("Raushan", "روشن"),
        ("Ainur", "آينور"), ("Zarina", "زارينا"), ("Kamila", "كاملة"), ("Bayan", "بايان"),
        ("Saltanat", "سلطنة"), ("Akmaral", "آقمارال"),
    ),
    family=(
        ("Nurlanov", "نورلانوف"), ("Abenov", "أبينوف"), ("Ospanov", "أوسبانوف"),
        ("Akhmetov", "أحمدوف"), ("Zhakupov", "جاكوبوف"), ("Suleimenov", "سليمينوف"),
        ("Iskakov", "إسحاقوف"), ("Kassymov", "قاسموف"), ("Abdrakhmanov", "عبد الرحمانوف"),
        ("Baimukhanov", "بايمخانوف"), ("Tokayev", "توكاييف"), ("Nurpeisov", "نوربيسوف"),
        ("Omarov", "عمروف"), ("Serikbayev", "سيريكباييف"), ("Yessenov", "يسينوف"),
        ("Zhumabayev", "جمعباييف"), ("Sadykov", "صادقوف"), ("Bekov", "بيكوف"),
        ("Tulegenov", "توليغينوف"), ("Mukanov", "موقانوف"),
    ),
    feminine_surnames=True,
    wife_takes_surname=True,
)  # fmt: skip

_TATAR = NamingCulture(
    male=(
        ("Rustam", "رستم"), ("Ildar", "إلدار"), ("Rinat", "رينات"), ("Marat", "مارات"),
        ("Ramil", "راميل"), ("Rafail", "رافائيل"), ("Airat", "آيرات"), ("Ilnur", "إلنور"),
        ("Radik", "راديك"), ("Almaz", "ألماز"), ("Rashid", "رشيد"), ("Timur", "تيمور"),
        ("Ruslan", "رسلان"), ("Damir", "دامير"), ("Farid", "فريد"), ("Ilshat", "إلشات"),
        ("Azat", "آزات"), ("Nail", "نائل"), ("Rifat", "رفعت"), ("Ravil", "راويل"),
        ("Ilgiz", "إلغيز"), ("Fanis", "فانيس"), ("Ainur", "آينور"), ("Zufar", "ظفر"),
        ("Gabdulla", "عبد الله"),
    ),
    female=(
        ("Gulnara", "غولنارا"), ("Alsu", "آلسو"), ("Dilyara", "ديليارا"), ("Guzel", "غوزل"),
        ("Aigul", "آيغول"), ("Liliya", "ليليا"), ("Rezeda", "ريزيدا"), ("Leysan", "ليسان"),
        ("Elvira", "إلفيرا"), ("Alfiya", "ألفية"), ("Gulnaz", "غولناز"), ("Zulfiya", "زلفية"),
        ("Rozaliya", "روزاليا"), ("Venera", "فينيرا"), ("Ramilya", "راميليا"), ("Faniya", "فانية"),
        ("Raisa", "رئيسة"), ("Zukhra", "زهرة"), ("Gulshat", "غولشات"), ("Ilsiyar", "إلسيار"),
        ("Chulpan", "تشولبان"), ("Albina", "ألبينا"), ("Nailya", "نائلة"), ("Asiya", "آسية"),
        ("Firuza", "فيروزة"),
    ),
    family=(
        ("Khabibullin", "حبيبولين"), ("Galiev", "غالييف"), ("Sharipov", "شاريبوف"),
        ("Valiev", "فالييف"), ("Safin", "صافين"), ("Gilmutdinov", "غيلموتدينوف"),
        ("Nurmukhametov", "نورمحمتوف"), ("Zakirov", "زاكيروف"), ("Khairullin", "خيرولين"),
        ("Mingazov", "مينغازوف"), ("Sabirov", "صابيروف"), ("Gabdullin", "غابدولين"),
        ("Akhmetshin", "أحمدشين"), ("Yusupov", "يوسوبوف"), ("Fatkhullin", "فتحولين"),
        ("Mukhametshin", "محمدشين"), ("Ziganshin", "زيغانشين"), ("Shakirov", "شاكيروف"),
        ("Nigmatullin", "نعمتولين"), ("Garipov", "غاريبوف"), ("Kamalov", "كمالوف"),
        ("Sadykov", "صادقوف"), ("Latypov", "لطيبوف"), ("Minnikhanov", "مينيخانوف"),
        ("Gainutdinov", "غاينوتدينوف"),
    ),
    feminine_surnames=True,
    wife_takes_surname=True,
)  # fmt: skip

# Dagestan and Chechnya send as many of Russia's pilgrims as Tatarstan and Bashkortostan do.
_CAUCASIAN = NamingCulture(
    male=(
        ("Magomed", "محمد"), ("Akhmed", "أحمد"), ("Abdulla", "عبد الله"), ("Shamil", "شامل"),
        ("Murad", "مراد"), ("Rasul", "رسول"), ("Gadzhi", "حاجي"), ("Ramazan", "رمضان"),
        ("Said", "سعيد"), ("Arsen", "أرسين"), ("Ruslan", "رسلان"), ("Islam", "إسلام"),
        ("Khasan", "حسن"), ("Umar", "عمر"), ("Zaur", "زاور"), ("Rustam", "رستم"),
        ("Aslan", "أصلان"), ("Timur", "تيمور"), ("Kurban", "قربان"), ("Ibragim", "إبراهيم"),
    ),
    female=(
        ("Patimat", "فاطمة"), ("Aminat", "آمنة"), ("Zaira", "زائرة"), ("Madina", "مدينة"),
        ("Khadizhat", "خديجة"), ("Zarema", "زاريما"), ("Aishat", "عائشة"), ("Milana", "ميلانا"),
        ("Asiyat", "آسية"), ("Seda", "سيدا"), ("Luiza", "لويزا"), ("Zalina", "زالينا"),
        ("Naida", "نائدة"), ("Zulfiya", "زلفية"), ("Khava", "حواء"), ("Maryam", "مريم"),
    ),
    family=(
        ("Magomedov", "ماغوميدوف"), ("Abdulaev", "عبدولاييف"), ("Gadzhiev", "غادجييف"),
        ("Aliev", "علييف"), ("Kadyrov", "قديروف"), ("Omarov", "عمروف"), ("Ramazanov", "رمضانوف"),
        ("Ibragimov", "إبراهيموف"), ("Gasanov", "غاسانوف"), ("Dadaev", "داداييف"),
        ("Rasulov", "رسولوف"), ("Kurbanov", "قربانوف"), ("Nurmagomedov", "نورمحمدوف"),
        ("Saidov", "سعيدوف"), ("Akhmedov", "أحمدوف"), ("Isaev", "عيساييف"), ("Musaev", "موساييف"),
        ("Yusupov", "يوسوبوف"),
    ),
    feminine_surnames=True,
    wife_takes_surname=True,
)  # fmt: skip

_WEST_AFRICAN = NamingCulture(
    male=(
        ("Mamadou", "مامادو"), ("Moussa", "موسى"), ("Ousmane", "عثمان"), ("Abdoulaye", "عبد الله"),
        ("Ibrahima", "إبراهيم"), ("Cheikh", "شيخ"), ("Modou", "مودو"), ("Amadou", "أمادو"),
        ("Aliou", "علي"), ("Boubacar", "أبو بكر"), ("Souleymane", "سليمان"),
        ("Babacar", "بابكر"), ("Lamine", "الأمين"), ("Omar", "عمر"), ("Seydou", "سيدو"),
        ("Issa", "عيسى"), ("Mahamadou", "محمد"), ("Adama", "آدم"), ("Bakary", "بكاري"),
        ("Sidi", "سيدي"), ("Alassane", "الحسن"), ("Idrissa", "إدريس"), ("Hamidou", "حميدو"),
        ("Djibril", "جبريل"), ("Saliou", "صالح"), ("Harouna", "هارون"), ("Yacouba", "يعقوب"),
        ("Tidiane", "التجاني"),
    ),
    female=(
        ("Fatou", "فاتو"), ("Aminata", "أميناتا"), ("Mariama", "مريم"), ("Awa", "حواء"),
        ("Aïssatou", "عائشة"), ("Khady", "خادي"), ("Ndeye", "نداي"), ("Astou", "أستو"),
        ("Coumba", "كومبا"), ("Rokhaya", "رقية"), ("Bineta", "بينتا"), ("Oumou", "أمو"),
        ("Kadiatou", "خديجة"), ("Ramatoulaye", "رحمة الله"), ("Salimata", "سليمة"),
        ("Fanta", "فانتا"), ("Adja", "الحاجة"), ("Penda", "بندا"), ("Djeneba", "زينب"),
        ("Safiatou", "صفية"), ("Maimouna", "ميمونة"), ("Zeinabou", "زينبو"),
        ("Halimatou", "حليمة"), ("Kadidia", "كديديا"), ("Hawa", "حوا"),
    ),
    family=(
        ("Diallo", "ديالو"), ("Ndiaye", "انجاي"), ("Diop", "جوب"), ("Fall", "فال"),
        ("Sow", "سو"), ("Ba", "با"), ("Sy", "سي"), ("Traoré", "تراوري"), ("Keïta", "كيتا"),
        ("Coulibaly", "كوليبالي"), ("Touré", "توري"), ("Cissé", "سيسي"), ("Sall", "سال"),
        ("Gueye", "غاي"), ("Mbaye", "امباي"), ("Sarr", "سار"), ("Faye", "فاي"),
        ("Diouf", "ديوف"), ("Kane", "كان"), ("Camara", "كامارا"), ("Konaté", "كوناتي"),
        ("Sidibé", "سيديبي"), ("Diarra", "ديارا"), ("Maïga", "مايغا"), ("Issoufou", "إيسوفو"),
        ("Sanogo", "سانوغو"), ("Dembélé", "دمبيلي"), ("Niang", "نيانغ"), ("Seck", "سك"),
    ),
)  # fmt: skip

_SOMALI = NamingCulture(
    male=(
        ("Abdirahman", "عبد الرحمن"), ("Mohamed", "محمد"), ("Ahmed", "أحمد"),
        ("Abdullahi", "عبد الله"), ("Hassan", "حسن"), ("Hussein", "حسين"), ("Ali", "علي"),
        ("Omar", "عمر"), ("Yusuf", "يوسف"), ("Abdikarim", "عبد الكريم"),
        ("Abdiaziz", "عبد العزيز"), ("Abdiqani", "عبد الغني"), ("Abdirashid", "عبد الرشيد"),
        ("Farah", "فارح"), ("Ismail", "إسماعيل"), ("Osman", "عثمان"), ("Mahamud", "محمود"),
        ("Liban", "ليبان"), ("Bashir", "بشير"), ("Said", "سعيد"), ("Aden", "آدم"),
        ("Abdiweli", "عبد الولي"), ("Abdinur", "عبد النور"), ("Jama", "جامع"),
        ("Warsame", "ورسمه"), ("Dahir", "ظاهر"), ("Guled", "غوليد"), ("Hirsi", "حرسي"),
    ),
    female=(
        ("Fadumo", "فاطمة"), ("Amina", "أمينة"), ("Hodan", "هودان"), ("Asha", "عائشة"),
        ("Khadija", "خديجة"), ("Sahra", "زهراء"), ("Halima", "حليمة"), ("Hawa", "حواء"),
        ("Maryan", "مريم"), ("Ifrah", "افراح"), ("Sagal", "ساجال"), ("Ubah", "أوبا"),
        ("Nasra", "نصرة"), ("Deeqa", "ديقا"), ("Hibo", "هيبو"), ("Idil", "إديل"),
        ("Ayan", "أيان"), ("Zamzam", "زمزم"), ("Fardowsa", "فردوسا"), ("Sucaad", "سعاد"),
        ("Kowsar", "كوثر"), ("Ruqiya", "رقية"), ("Farhiya", "فرحية"), ("Safiya", "صفية"),
        ("Nimco", "نعمة"),
    ),
    family=(
        ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Ali", "علي"), ("Hassan", "حسن"),
        ("Abdi", "عبدي"), ("Farah", "فارح"), ("Omar", "عمر"), ("Warsame", "ورسمه"),
        ("Jama", "جامع"), ("Hirsi", "حرسي"), ("Dahir", "ظاهر"), ("Yusuf", "يوسف"),
        ("Osman", "عثمان"), ("Aden", "آدم"), ("Nur", "نور"), ("Ismail", "إسماعيل"),
        ("Abdullahi", "عبد الله"), ("Egal", "إيغال"), ("Gedi", "غيدي"), ("Elmi", "علمي"),
        ("Musse", "موسى"), ("Samatar", "ساماتار"), ("Duale", "دوالي"), ("Guled", "غوليد"),
        ("Shire", "شيري"),
    ),
    patronymic_share=0.75,
)  # fmt: skip

_ETHIOPIAN = NamingCulture(
    male=(
        ("Kedir", "قادر"), ("Mohammed", "محمد"), ("Ahmed", "أحمد"), ("Abdella", "عبد الله"),
        ("Hussen", "حسين"), ("Nuru", "نور"), ("Jemal", "جمال"), ("Seid", "سعيد"),
        ("Ali", "علي"), ("Abdu", "عبده"), ("Mustefa", "مصطفى"), ("Yasin", "ياسين"),
        ("Ibrahim", "إبراهيم"), ("Abdurahman", "عبد الرحمن"), ("Siraj", "سراج"),
        ("Tofik", "توفيق"), ("Redwan", "رضوان"), ("Shemsu", "شمسو"), ("Umer", "عمر"),
        ("Awol", "أول"), ("Kemal", "كمال"), ("Sultan", "سلطان"), ("Hassen", "حسن"),
        ("Abdulkadir", "عبد القادر"), ("Nasir", "ناصر"),
    ),
    female=(
        ("Fatuma", "فاطمة"), ("Zeyneba", "زينب"), ("Amina", "أمينة"), ("Medina", "مدينة"),
        ("Hawa", "حواء"), ("Zehara", "زهراء"), ("Kedija", "خديجة"), ("Rahma", "رحمة"),
        ("Hayat", "حياة"), ("Nejat", "نجاة"), ("Semira", "سميرة"), ("Hanan", "حنان"),
        ("Ferhiya", "فرحية"), ("Hikma", "حكمة"), ("Lubaba", "لبابة"), ("Mariam", "مريم"),
        ("Asia", "آسيا"), ("Ayisha", "عائشة"), ("Munira", "منيرة"), ("Feruza", "فيروزة"),
        ("Kemeria", "قمرية"), ("Nuria", "نورية"), ("Sofia", "صوفيا"), ("Rukia", "رقية"),
        ("Halima", "حليمة"),
    ),
    # Ethiopians carry no family name: the passport's surname is the father's given name.
    family=(
        ("Kedir", "قادر"), ("Mohammed", "محمد"), ("Ahmed", "أحمد"), ("Abdella", "عبد الله"),
        ("Hussen", "حسين"), ("Ali", "علي"), ("Abdu", "عبده"), ("Jemal", "جمال"),
        ("Seid", "سعيد"), ("Mustefa", "مصطفى"), ("Yusuf", "يوسف"), ("Temam", "تمام"),
        ("Hassen", "حسن"), ("Ibrahim", "إبراهيم"), ("Nuru", "نور"), ("Awol", "أول"),
        ("Umer", "عمر"), ("Beshir", "بشير"), ("Kemal", "كمال"), ("Siraj", "سراج"),
        ("Yimam", "إمام"), ("Aman", "أمان"), ("Mohammednur", "محمد نور"), ("Adem", "آدم"),
        ("Abagojam", "أباغوجام"),
    ),
    lineage="father",
)  # fmt: skip

_BRITISH = NamingCulture(
    male=(
        ("Mohammed", "محمد"), ("Muhammad", "محمد"), ("Ibrahim", "إبراهيم"), ("Yusuf", "يوسف"),
        ("Adam", "آدم"), ("Omar", "عمر"), ("Ali", "علي"), ("Hamza", "حمزة"), ("Bilal", "بلال"),
        ("Zakariya", "زكريا"), ("Idris", "إدريس"), ("Imran", "عمران"), ("Tariq", "طارق"),
        ("Abdul Hakim", "عبد الحكيم"), ("Yahya", "يحيى"), ("Daniel", "دانيال"),
        ("Sulaiman", "سليمان"), ("Ismail", "إسماعيل"), ("Harun", "هارون"), ("Kamran", "كامران"),
        ("Shabbir", "شبير"), ("Nadeem", "نديم"), ("Asif", "آصف"), ("Faisal", "فيصل"),
        ("Abdullah", "عبد الله"), ("Jamal", "جمال"), ("Rizwan", "رضوان"), ("Zubair", "زبير"),
        ("James", "جيمس"),
    ),
    female=(
        ("Aisha", "عائشة"), ("Fatima", "فاطمة"), ("Maryam", "مريم"), ("Khadija", "خديجة"),
        ("Zainab", "زينب"), ("Hafsa", "حفصة"), ("Safiya", "صفية"), ("Amina", "أمينة"),
        ("Sumayyah", "سمية"), ("Yasmin", "ياسمين"), ("Sara", "سارة"), ("Hana", "هنا"),
        ("Laila", "ليلى"), ("Nadia", "نادية"), ("Rukhsana", "رخسانة"), ("Shazia", "شازية"),
        ("Sabina", "سابينا"), ("Nasreen", "نسرين"), ("Samina", "ثمينة"), ("Halima", "حليمة"),
        ("Ruqayyah", "رقية"), ("Hannah", "هانا"), ("Sophie", "صوفي"), ("Noor", "نور"),
        ("Layla", "ليلى"),
    ),
    family=(
        ("Khan", "خان"), ("Ahmed", "أحمد"), ("Hussain", "حسين"), ("Ali", "علي"),
        ("Patel", "باتيل"), ("Iqbal", "إقبال"), ("Mahmood", "محمود"), ("Akhtar", "أختر"),
        ("Rahman", "رحمن"), ("Miah", "ميا"), ("Uddin", "الدين"), ("Malik", "مالك"),
        ("Shah", "شاه"), ("Choudhury", "تشودري"), ("Islam", "إسلام"), ("Mirza", "ميرزا"),
        ("Smith", "سميث"), ("Jones", "جونز"), ("Williams", "ويليامز"), ("Taylor", "تايلور"),
        ("Brown", "براون"), ("Davies", "ديفيز"), ("Evans", "إيفانز"), ("Mohamed", "محمد"),
        ("Abdi", "عبدي"), ("Osman", "عثمان"),
    ),
    female_family=(("Begum", "بيغم"), ("Bibi", "بيبي")),
    female_family_share=0.15,
    wife_takes_surname=True,
)  # fmt: skip

_AMERICAN = NamingCulture(
    male=(
        ("Muhammad", "محمد"), ("Jamal", "جمال"), ("Malik", "مالك"), ("Karim", "كريم"),
        ("Ibrahim", "إبراهيم"), ("Yusuf", "يوسف"), ("Omar", "عمر"), ("Ali", "علي"),
        ("Hassan", "حسن"), ("Tariq", "طارق"), ("Rashid", "رشيد"), ("Khalil", "خليل"),
        ("Hakim", "حكيم"), ("Amir", "أمير"), ("Idris", "إدريس"), ("Bilal", "بلال"),
        ("Isa", "عيسى"), ("Abdul Malik", "عبد الملك"), ("Hamza", "حمزة"), ("Yahya", "يحيى"),
        ("Michael", "مايكل"), ("David", "ديفيد"), ("Dawud", "داود"), ("Zaid", "زيد"),
        ("Adam", "آدم"), ("Anthony", "أنتوني"),
    ),
    female=(
        ("Aaliyah", "عالية"), ("Khadijah", "خديجة"), ("Aminah", "آمنة"), ("Fatimah", "فاطمة"),
        ("Aisha", "عائشة"), ("Maryam", "مريم"), ("Zainab", "زينب"), ("Jamila", "جميلة"),
        ("Nadia", "نادية"), ("Samira", "سميرة"), ("Yasmin", "ياسمين"), ("Sarah", "سارة"),
        ("Hajar", "هاجر"), ("Safiyyah", "صفية"), ("Layla", "ليلى"), ("Noor", "نور"),
        ("Jennifer", "جينيفر"), ("Nia", "نيا"), ("Imani", "إيماني"), ("Amira", "أميرة"),
        ("Sumaya", "سمية"), ("Rania", "رانيا"), ("Hana", "هنا"), ("Kimberly", "كيمبرلي"),
        ("Latifah", "لطيفة"),
    ),
    family=(
        ("Ali", "علي"), ("Khan", "خان"), ("Muhammad", "محمد"), ("Abdullah", "عبد الله"),
        ("Shabazz", "شباز"), ("Johnson", "جونسون"), ("Williams", "ويليامز"),
        ("Jackson", "جاكسون"), ("Brown", "براون"), ("Davis", "ديفيس"), ("Smith", "سميث"),
        ("Harris", "هاريس"), ("Robinson", "روبنسون"), ("Ahmed", "أحمد"), ("Hassan", "حسن"),
        ("Mohamed", "محمد"), ("Hussain", "حسين"), ("Rahman", "رحمن"), ("Siddiqui", "صديقي"),
        ("Patel", "باتيل"), ("Omar", "عمر"), ("Karim", "كريم"), ("Mahmoud", "محمود"),
        ("Haddad", "حداد"), ("Abdi", "عبدي"), ("Jones", "جونز"),
    ),
    wife_takes_surname=True,
)  # fmt: skip

_FRENCH = NamingCulture(
    male=(
        ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Karim", "كريم"), ("Rachid", "رشيد"),
        ("Mehdi", "مهدي"), ("Nabil", "نبيل"), ("Samir", "سمير"), ("Youssef", "يوسف"),
        ("Bilal", "بلال"), ("Yassine", "ياسين"), ("Sofiane", "سفيان"), ("Hamza", "حمزة"),
        ("Ibrahim", "إبراهيم"), ("Moussa", "موسى"), ("Mamadou", "مامادو"),
        ("Abdelkader", "عبد القادر"), ("Ismaël", "إسماعيل"), ("Nordine", "نور الدين"),
        ("Farid", "فريد"), ("Malik", "مالك"), ("Omar", "عمر"), ("Adam", "آدم"),
        ("Ilyès", "إلياس"), ("Anis", "أنيس"), ("Kader", "قادر"),
    ),
    female=(
        ("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aïcha", "عائشة"), ("Nadia", "نادية"),
        ("Samira", "سميرة"), ("Leïla", "ليلى"), ("Yasmine", "ياسمين"), ("Sarah", "سارة"),
        ("Myriam", "مريم"), ("Inès", "إيناس"), ("Sonia", "سونيا"), ("Malika", "مليكة"),
        ("Karima", "كريمة"), ("Naïma", "نعيمة"), ("Amina", "أمينة"), ("Fatoumata", "فاطمة"),
        ("Rachida", "رشيدة"), ("Souad", "سعاد"), ("Salima", "سليمة"), ("Hanane", "حنان"),
        ("Kenza", "كنزة"), ("Lina", "لينا"), ("Nora", "نورة"), ("Zohra", "زهرة"),
        ("Meryem", "مريم"),
    ),
    family=(
        ("Benali", "بن علي"), ("Bouzid", "بوزيد"), ("Haddad", "حداد"), ("Mansouri", "منصوري"),
        ("Belkacem", "بلقاسم"), ("Benahmed", "بن أحمد"), ("Saidi", "سعيدي"), ("Cherif", "شريف"),
        ("Hamidi", "حميدي"), ("Meziane", "مزيان"), ("Brahimi", "براهيمي"),
        ("Khelifi", "خليفي"), ("Amrani", "العمراني"), ("Boukhari", "بوخاري"),
        ("Diallo", "ديالو"), ("Traoré", "تراوري"), ("Cissé", "سيسي"), ("Diop", "جوب"),
        ("Camara", "كامارا"), ("Ben Salah", "بن صالح"), ("Trabelsi", "الطرابلسي"),
        ("Martin", "مارتان"), ("Bernard", "برنار"), ("Dubois", "دوبوا"), ("Moreau", "مورو"),
        ("Lefebvre", "لوفيفر"),
    ),
    wife_takes_surname=True,
)  # fmt: skip

# Chinese passports put the surname first and spell it in pinyin; Ma is by far the commonest
# Hui surname, so it is listed more than once to come up as often.
_HUI = NamingCulture(
    male=(
        ("Jun", "جون"), ("Wei", "وي"), ("Jian", "جيان"), ("Yong", "يونغ"), ("Gang", "غانغ"),
        ("Bin", "بين"), ("Qiang", "تشيانغ"), ("Ming", "مينغ"), ("Xiaolong", "شياولونغ"),
        ("Zhongxin", "تشونغشين"), ("Hai", "هاي"), ("Fuxiang", "فوشيانغ"),
        ("Jianguo", "جيانغوه"), ("Guoqiang", "غوتشيانغ"), ("Wenhua", "ونهوا"),
        ("Chengyu", "تشنغيو"), ("Hongbin", "هونغبين"), ("Shoulin", "شولين"),
        ("Zhiyuan", "تشييوان"), ("Yuxiang", "يوشيانغ"), ("Haibin", "هايبين"),
        ("Xuewen", "شيوين"), ("Deming", "ديمينغ"), ("Fuqing", "فوتشينغ"), ("Lin", "لين"),
    ),
    female=(
        ("Fang", "فانغ"), ("Hong", "هونغ"), ("Yan", "يان"), ("Ying", "يينغ"), ("Hua", "هوا"),
        ("Lan", "لان"), ("Xiulan", "شيولان"), ("Guiying", "غويينغ"), ("Fengying", "فنغيينغ"),
        ("Yuzhen", "يوتشن"), ("Xiaoyan", "شياويان"), ("Meilan", "ميلان"), ("Shuzhen", "شوتشن"),
        ("Jing", "جينغ"), ("Min", "مين"), ("Juan", "جوان"), ("Xiuying", "شيويينغ"),
        ("Lihua", "ليهوا"), ("Cuihua", "تسويهوا"), ("Suyun", "سويون"), ("Haiyan", "هايان"),
        ("Yufang", "يوفانغ"), ("Xiuzhen", "شيوتشن"), ("Guilan", "غويلان"), ("Mei", "مي"),
    ),
    family=(
        ("Ma", "ما"), ("Ma", "ما"), ("Ma", "ما"), ("Ma", "ما"), ("Ma", "ما"), ("Ha", "ها"),
        ("Na", "نا"), ("Bai", "باي"), ("Mu", "مو"), ("Sa", "سا"), ("Hai", "هاي"),
        ("Ding", "دينغ"), ("Yang", "يانغ"), ("Li", "لي"), ("Zhang", "تشانغ"), ("Wang", "وانغ"),
        ("Hu", "هو"), ("Mi", "مي"), ("Su", "سو"), ("Tie", "تيه"), ("Sha", "شا"), ("Yu", "يو"),
        ("Jin", "جين"), ("Lan", "لان"), ("Ke", "كه"), ("Zhou", "تشو"), ("Liu", "ليو"),
        ("Ye", "يه"), ("Gao", "غاو"),
    ),
    surname_first=True,
)  # fmt: skip

# Uyghur names as Chinese passports spell them (pinyin of the Chinese transcription, so Memet is
# "Maimaiti"); the Arabic script is Uyghur's own. The surname is the father's given name.
_UYGHUR = NamingCulture(
    male=(
        ("Maimaiti", "مەمەت"), ("Aihemaiti", "ئەخمەت"), ("Abulaiti", "ئابلەت"),
        ("Tuerxun", "تۇرسۇن"), ("Kuerban", "قۇربان"), ("Yusufu", "يۇسۇپ"), ("Abudula", "ئابدۇللا"),
        ("Aili", "ئەلى"), ("Wusiman", "ئوسمان"), ("Wumaier", "ئۆمەر"), ("Nuer", "نۇر"),
        ("Rouzi", "روزى"), ("Yiming", "ئىمىن"), ("Tuoheti", "توختى"), ("Aikebaier", "ئەكبەر"),
        ("Yibulayin", "ئىبراھىم"), ("Yisimayi", "ئىسمائىل"), ("Wubuli", "ئوبۇل"),
        ("Mamuti", "مامۇت"), ("Yasen", "ياسىن"), ("Abuduweili", "ئابدۇۋەلى"),
    ),
    female=(
        ("Gulinaer", "گۈلنار"), ("Ayinuer", "ئاينۇر"), ("Patiguli", "پاتىگۈل"),
        ("Zulipiye", "زۇلپىيە"), ("Reyihan", "رەيھان"), ("Mairiyemu", "مەريەم"),
        ("Ayiguli", "ئايگۈل"), ("Ayixianmu", "ئايشەم"), ("Nuerguli", "نۇرگۈل"),
        ("Rebiya", "رابىيە"), ("Aminamu", "ئامىنەم"), ("Guzalinuer", "گۈزەلنۇر"),
    ),
    family=(
        ("Tuerxun", "تۇرسۇن"), ("Maimaiti", "مەمەت"), ("Aihemaiti", "ئەخمەت"),
        ("Abulaiti", "ئابلەت"), ("Kuerban", "قۇربان"), ("Yusufu", "يۇسۇپ"), ("Abudula", "ئابدۇللا"),
        ("Aili", "ئەلى"), ("Wubuli", "ئوبۇل"), ("Rouzi", "روزى"), ("Yiming", "ئىمىن"),
        ("Tuoheti", "توختى"), ("Aikebaier", "ئەكبەر"), ("Wusiman", "ئوسمان"), ("Nuer", "نۇر"),
    ),
    lineage="father",
)  # fmt: skip

# No "đ": the MRZ transliteration table drops it, and a scanned name must match the record.
_BOSNIAN = NamingCulture(
    male=(
        ("Emir", "أمير"), ("Adnan", "عدنان"), ("Edin", "إدين"), ("Haris", "حارث"),
        ("Kenan", "كنان"), ("Mirza", "ميرزا"), ("Armin", "أرمين"), ("Senad", "سناد"),
        ("Samir", "سمير"), ("Nermin", "نرمين"), ("Jasmin", "ياسمين"), ("Elvedin", "إلفيدين"),
        ("Mehmed", "محمد"), ("Safet", "صفوت"), ("Hasan", "حسن"), ("Husein", "حسين"),
        ("Ibrahim", "إبراهيم"), ("Alija", "عليا"), ("Nihad", "نهاد"), ("Mustafa", "مصطفى"),
        ("Sead", "سعيد"), ("Enes", "أنس"), ("Ahmed", "أحمد"), ("Fikret", "فكرت"),
        ("Zlatan", "زلاتان"), ("Suad", "سعاد"),
    ),
    female=(
        ("Amra", "عمرة"), ("Lejla", "ليلى"), ("Amela", "أميلا"), ("Selma", "سلمى"),
        ("Aida", "عائدة"), ("Alma", "ألما"), ("Emina", "أمينة"), ("Azra", "عذراء"),
        ("Belma", "بلما"), ("Dženana", "جنانة"), ("Merima", "مريمة"), ("Sabina", "سابينا"),
        ("Edina", "إدينا"), ("Mirela", "ميريلا"), ("Fatima", "فاطمة"), ("Hatidža", "خديجة"),
        ("Zehra", "زهراء"), ("Šefika", "شفيقة"), ("Hajra", "هاجر"), ("Ajša", "عائشة"),
        ("Naida", "نائدة"), ("Mersiha", "مرسيحة"), ("Adisa", "أديسا"), ("Enisa", "أنيسة"),
        ("Minela", "مينيلا"),
    ),
    family=(
        ("Hodžić", "هودجيتش"), ("Hadžić", "حاجيتش"), ("Begić", "بيغيتش"), ("Delić", "ديليتش"),
        ("Kovačević", "كوفاتشيفيتش"), ("Mehmedović", "محمدوفيتش"), ("Hasanović", "حسنوفيتش"),
        ("Husić", "حسيتش"), ("Ahmetović", "أحمدوفيتش"), ("Alić", "عليتش"),
        ("Omerović", "عمروفيتش"), ("Suljić", "سوليتش"), ("Halilović", "خليلوفيتش"),
        ("Mujić", "موييتش"), ("Salihović", "صالحوفيتش"), ("Ibrahimović", "إبراهيموفيتش"),
        ("Džeko", "جيكو"), ("Karić", "كاريتش"), ("Osmanović", "عثمانوفيتش"),
        ("Mustafić", "مصطفيتش"), ("Bešić", "بيشيتش"), ("Čaušević", "تشاوشيفيتش"),
        ("Imamović", "إماموفيتش"), ("Smajić", "سمايتش"), ("Hamzić", "حمزيتش"),
        ("Selimović", "سليموفيتش"), ("Spahić", "سباهيتش"),
    ),
    wife_takes_surname=True,
)  # fmt: skip

CULTURES: Mapping[str, NamingCulture] = {
    "indonesian": _INDONESIAN,
    "malay": _MALAY,
    "pakistani": _PAKISTANI,
    "indian": _INDIAN,
    "bangladeshi": _BANGLADESHI,
    "hausa": _HAUSA,
    "persian": _PERSIAN,
    "afghan": _AFGHAN,
    "turkish": _TURKISH,
    "egyptian": _EGYPTIAN,
    "algerian": _ALGERIAN,
    "moroccan": _MOROCCAN,
    "tunisian": _TUNISIAN,
    "gulf": _GULF,
    "iraqi": _IRAQI,
    "jordanian": _JORDANIAN,
    "yemeni": _YEMENI,
    "sudanese": _SUDANESE,
    "uzbek": _UZBEK,
    "kazakh": _KAZAKH,
    "tatar": _TATAR,
    "caucasian": _CAUCASIAN,
    "west_african": _WEST_AFRICAN,
    "somali": _SOMALI,
    "ethiopian": _ETHIOPIAN,
    "british": _BRITISH,
    "american": _AMERICAN,
    "french": _FRENCH,
    "hui": _HUI,
    "uyghur": _UYGHUR,
    "bosnian": _BOSNIAN,
}


# ---------------------------------------------------------------------------------------------
# Nationalities.

# Letters that passports leave out of their numbers, being too easily read as digits: I, O, Q.
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class Nationality:
    """A sending country: its share of the season, language, phones, passports and names."""

    code: str  # ISO 3166-1 alpha-3
    name_en: str
    name_ar: str
    weight: int  # pilgrims in a recent season, rounded
    language: str  # BCP 47
    phone_prefix: str  # "+62"
    names: str  # a key of CULTURES
    # Mobile numbers: the first digits after the country code, and how many digits follow.
    mobile_starts: tuple[str, ...]
    mobile_digits: int
    # "@" a letter from passport_letters, "#" a digit, anything else itself; at most 9
    # characters, so that the number fits a TD3 zone without the long-number extension.
    passport_formats: tuple[str, ...] = ("@########", "@@#######")
    passport_letters: str = _LETTERS
    # A second naming culture within the country (Uyghurs in China, Dagestanis in Russia).
    alt_names: str | None = None
    alt_share: float = 0.0
    # Where births went unregistered, passports give 1 January for an unknown birthday.
    january_first_share: float = 0.0


# Approximate quotas of recent seasons (about 1.8 million pilgrims in all, of which these
# countries send nine in ten); Saudi Arabia's own are the domestic pilgrims.
NATIONALITIES: tuple[Nationality, ...] = (
    Nationality("IDN", "Indonesia", "إندونيسيا", 221_000, "id", "+62", "indonesian",
                ("811", "812", "813", "821", "822", "823", "852", "853", "857", "858", "877",
                 "878", "895", "896"), 8,
                passport_formats=("@#######",), passport_letters="BCEX"),
    Nationality("PAK", "Pakistan", "باكستان", 179_000, "ur", "+92", "pakistani",
                ("300", "301", "302", "303", "311", "312", "313", "321", "322", "331", "333",
                 "345", "346"), 7,
                passport_formats=("@@#######",), january_first_share=0.1),
    Nationality("IND", "India", "الهند", 175_000, "ur", "+91", "indian",
                ("98", "99", "97", "94", "90", "88", "81", "70", "63"), 8,
                passport_formats=("@#######",), passport_letters="JKLMNPRSTUVWZ",
                january_first_share=0.05),
    Nationality("BGD", "Bangladesh", "بنغلاديش", 127_000, "bn", "+880", "bangladeshi",
                ("13", "14", "15", "16", "17", "18", "19"), 8,
                passport_formats=("@@#######",), passport_letters="ABCDEFGH",
                january_first_share=0.1),
    Nationality("NGA", "Nigeria", "نيجيريا", 95_000, "ha", "+234", "hausa",
                ("803", "806", "813", "816", "703", "706", "805", "807", "815", "802", "808",
                 "812", "901", "903", "906", "909"), 7,
                passport_formats=("A########", "B########"), january_first_share=0.2),
    Nationality("IRN", "Iran", "إيران", 87_500, "fa", "+98", "persian",
                ("912", "913", "915", "917", "919", "935", "936", "937", "901", "921"), 7,
                passport_formats=("@########",)),
    Nationality("TUR", "Türkiye", "تركيا", 84_000, "tr", "+90", "turkish",
                ("530", "532", "533", "535", "536", "505", "506", "507", "541", "542", "543",
                 "544", "552", "553", "555"), 7,
                passport_formats=("U########",)),
    Nationality("EGY", "Egypt", "مصر", 78_000, "ar", "+20", "egyptian",
                ("10", "11", "12", "15"), 8, passport_formats=("A########",)),
    Nationality("DZA", "Algeria", "الجزائر", 41_300, "ar", "+213", "algerian",
                ("55", "56", "66", "67", "69", "77", "79"), 7, passport_formats=("#########",)),
    Nationality("MYS", "Malaysia", "ماليزيا", 31_600, "ms", "+60", "malay",
                ("12", "13", "16", "17", "19"), 7,
                passport_formats=("A########", "A########", "A########", "H########",
                                  "K########")),
    Nationality("MAR", "Morocco", "المغرب", 34_000, "ar", "+212", "moroccan",
                ("61", "62", "66", "67", "68", "70", "71"), 7),
    Nationality("SDN", "Sudan", "السودان", 32_000, "ar", "+249", "sudanese",
                ("91", "92", "90", "99", "12", "11"), 7, january_first_share=0.2),
    Nationality("IRQ", "Iraq", "العراق", 33_700, "ar", "+964", "iraqi",
                ("770", "771", "780", "781", "750", "751", "790"), 7,
                january_first_share=0.1),
    Nationality("AFG", "Afghanistan", "أفغانستان", 13_600, "ps", "+93", "afghan",
                ("70", "72", "77", "78", "79", "74"), 7, passport_formats=("@@#######",),
                january_first_share=0.4),
    Nationality("ETH", "Ethiopia", "إثيوبيا", 12_000, "am", "+251", "ethiopian",
                ("91", "92", "93", "94"), 7, passport_formats=("EP#######",),
                january_first_share=0.2),
    Nationality("UZB", "Uzbekistan", "أوزبكستان", 15_000, "uz", "+998", "uzbek",
                ("90", "91", "93", "94", "97", "99", "88", "33"), 7,
                passport_formats=("@@#######",), passport_letters="ABF"),
    Nationality("SEN", "Senegal", "السنغال", 12_900, "fr", "+221", "west_african",
                ("77", "78", "76", "70"), 7, january_first_share=0.15),
    Nationality("MLI", "Mali", "مالي", 13_300, "fr", "+223", "west_african",
                ("66", "76", "65", "75", "90"), 6, january_first_share=0.25),
    Nationality("NER", "Niger", "النيجر", 15_500, "fr", "+227", "west_african",
                ("90", "96", "97", "98", "99"), 6,
                alt_names="hausa", alt_share=0.5, january_first_share=0.25),
    Nationality("YEM", "Yemen", "اليمن", 24_300, "ar", "+967", "yemeni",
                ("77", "73", "71", "70"), 7, january_first_share=0.2),
    Nationality("TUN", "Tunisia", "تونس", 11_000, "ar", "+216", "tunisian",
                ("20", "21", "22", "50", "52", "55", "98", "97"), 6),
    Nationality("JOR", "Jordan", "الأردن", 7_500, "ar", "+962", "jordanian",
                ("77", "78", "79"), 7),
    Nationality("SOM", "Somalia", "الصومال", 9_000, "so", "+252", "somali",
                ("61", "62", "63", "90", "68"), 7, january_first_share=0.3),
    Nationality("SAU", "Saudi Arabia", "المملكة العربية السعودية", 200_000, "ar", "+966", "gulf",
                ("50", "53", "54", "55", "56", "58", "59"), 7),
    Nationality("GBR", "United Kingdom", "المملكة المتحدة", 20_000, "en", "+44", "british",
                ("74", "75", "77", "78", "79"), 8, passport_formats=("#########",)),
    Nationality("FRA", "France", "فرنسا", 12_000, "fr", "+33", "french",
                ("6", "7"), 8, passport_formats=("##@@#####",)),
    # Area codes (and a first digit of the exchange) of the large Muslim communities.
    Nationality("USA", "United States", "الولايات المتحدة", 12_000, "en", "+1", "american",
                ("3135", "3138", "7184", "7186", "3474", "7735", "7037", "7139", "2154", "6125",
                 "4082", "3132"), 6,
                passport_formats=("#########", "A########")),
    Nationality("RUS", "Russia", "روسيا", 20_000, "ru", "+7", "tatar",
                ("90", "91", "92", "93", "95", "96", "98"), 8, passport_formats=("#########",),
                alt_names="caucasian", alt_share=0.5),
    Nationality("CHN", "China", "الصين", 12_000, "zh", "+86", "hui",
                ("13", "15", "18", "17", "19"), 9,
                passport_formats=("E########", "EA#######", "EB#######"),
                alt_names="uyghur", alt_share=0.2),
    Nationality("BIH", "Bosnia and Herzegovina", "البوسنة والهرسك", 1_500, "bs", "+387",
                "bosnian", ("61", "62", "63", "65", "66"), 6),
    Nationality("KAZ", "Kazakhstan", "كازاخستان", 4_500, "kk", "+7", "kazakh",
                ("700", "701", "702", "705", "707", "747", "771", "775", "777", "778"), 7,
                passport_formats=("N########",)),
)  # fmt: skip

_BY_CODE: Mapping[str, Nationality] = {n.code: n for n in NATIONALITIES}
_CUMULATIVE_WEIGHTS = tuple(accumulate(n.weight for n in NATIONALITIES))


def nationality(code: str) -> Nationality:
    """The demo's entry for an alpha-3 code; KeyError if the demo does not send that country."""
    return _BY_CODE[code]


def country_name(code: str, lang: str) -> str:
    """A demo nationality's name in English ("en") or Arabic ("ar")."""
    entry = nationality(code)
    if lang == "en":
        return entry.name_en
    if lang == "ar":
        return entry.name_ar
    raise ValueError(f"country names are in 'en' or 'ar', not {lang!r}")


# ---------------------------------------------------------------------------------------------
# Companies, missions and hotels.


@dataclass(frozen=True)
class CompanyTemplate:
    """A Hajj mission or company as a country would register it."""

    name: str
    name_ar: str
    city: str
    address: str
    contact: str


COMPANY_TEMPLATES: Mapping[str, tuple[CompanyTemplate, ...]] = {
    "IDN": (
        CompanyTemplate("Ministry of Religious Affairs Hajj Mission",
                        "بعثة حج وزارة الشؤون الدينية الإندونيسية", "Jakarta",
                        "Jl. Lapangan Banteng Barat No. 3-4, Jakarta Pusat 10710",
                        "Ahmad Fauzi Hidayat"),
        CompanyTemplate("PT Amanah Haji Khusus Nusantara", "شركة أمانة نوسانتارا للحج الخاص",
                        "Surabaya", "Jl. Ahmad Yani No. 88, Surabaya 60234", "Agus Santoso"),
        CompanyTemplate("PT Baitul Makmur Travel Haji", "شركة بيت المعمور لسفر الحج",
                        "Makassar", "Jl. Urip Sumoharjo No. 21, Makassar 90231", "Rizki Hasibuan"),
    ),
    "PAK": (
        CompanyTemplate("Pakistan Hajj Mission", "بعثة الحج الباكستانية", "Islamabad",
                        "Ministry of Religious Affairs, Kohsar Block, Pak Secretariat, Islamabad",
                        "Muhammad Tariq Qureshi"),
        CompanyTemplate("Al-Noor Hajj Group Operators (Pvt) Ltd", "النور لتنظيم مجموعات الحج",
                        "Karachi", "Shahrah-e-Faisal, PECHS Block 6, Karachi 75400",
                        "Syed Imran Hashmi"),
    ),
    "IND": (
        CompanyTemplate("Haj Committee of India", "لجنة الحج الهندية", "Mumbai",
                        "Haj House, 7A M.R.A. Marg, Mumbai 400001", "Mohammed Yaqoob Shaikh"),
        CompanyTemplate("Al-Khair Hajj and Umrah Tours Pvt Ltd", "الخير لرحلات الحج والعمرة",
                        "Hyderabad", "Mehdipatnam Main Road, Hyderabad 500028", "Syed Riyaz Ahmed"),
    ),
    "BGD": (
        CompanyTemplate("Bangladesh Hajj Office", "مكتب الحج البنغلاديشي", "Dhaka",
                        "Ashkona Haji Camp, Dakshinkhan, Dhaka 1230", "Md Saiful Islam"),
        CompanyTemplate("Baitullah Hajj Kafela Ltd", "قافلة بيت الله للحج", "Chattogram",
                        "Agrabad Commercial Area, Chattogram 4100", "Md Nurul Amin Chowdhury"),
    ),
    "NGA": (
        CompanyTemplate("National Hajj Commission of Nigeria", "الهيئة الوطنية للحج في نيجيريا",
                        "Abuja", "Central Business District, Abuja", "Ibrahim Sani Bello"),
        CompanyTemplate("Kano State Pilgrims Welfare Board", "مجلس رعاية حجاج ولاية كانو",
                        "Kano", "Hajj Camp, Airport Road, Kano", "Aminu Garba Yakubu"),
    ),
    "IRN": (
        CompanyTemplate("Hajj and Pilgrimage Organization of Iran", "منظمة الحج والزيارة الإيرانية",
                        "Tehran", "Azadi Street, Tehran", "Abbas Hosseini"),
    ),
    "TUR": (
        CompanyTemplate("Diyanet Hajj Organization", "بعثة الحج لرئاسة الشؤون الدينية التركية",
                        "Ankara",
                        "Üniversiteler Mah. Dumlupınar Bulvarı No: 147/A, Çankaya, Ankara",
                        "Mehmet Yılmaz"),
        CompanyTemplate("Safa Marwa Hac Turizm A.Ş.", "شركة الصفا والمروة للحج والسياحة",
                        "İstanbul", "Fatih, Millet Caddesi No: 42, İstanbul", "Hüseyin Kaya"),
    ),
    "EGY": (
        CompanyTemplate("Egyptian Interior Ministry Lottery Hajj Mission",
                        "بعثة حج القرعة بوزارة الداخلية المصرية", "Cairo",
                        "Ministry of Interior, New Cairo", "Mahmoud Abdel Aziz"),
        CompanyTemplate("Egyptian Tourism Companies Hajj Mission", "بعثة حج السياحة المصرية",
                        "Cairo", "Abbasiya Square, Cairo", "Ahmed El Masry"),
    ),
    "DZA": (
        CompanyTemplate("National Office of Hajj and Umrah", "الديوان الوطني للحج والعمرة",
                        "Algiers", "Boulevard Mohamed V, Alger Centre, Algiers", "Youcef Azzouz"),
    ),
    "MYS": (
        CompanyTemplate("Lembaga Tabung Haji", "صندوق الحج الماليزي", "Kuala Lumpur",
                        "Menara TH, 201 Jalan Tun Razak, 50400 Kuala Lumpur",
                        "Mohd Azlan bin Ismail"),
    ),
    "MAR": (
        CompanyTemplate("Ministry of Habous and Islamic Affairs Hajj Mission",
                        "بعثة الحج لوزارة الأوقاف والشؤون الإسلامية", "Rabat",
                        "Méchouar Essaid, Rabat", "Driss Alaoui"),
    ),
    "SDN": (
        CompanyTemplate("Sudan Hajj and Umrah Authority", "الهيئة العامة للحج والعمرة السودانية",
                        "Port Sudan", "Hajj Authority Building, Port Sudan", "Osman Elamin"),
    ),
    "IRQ": (
        CompanyTemplate("Supreme Commission for Hajj and Umrah", "الهيئة العليا للحج والعمرة",
                        "Baghdad", "Al-Waziriya, Baghdad", "Haider Al-Musawi"),
    ),
    "AFG": (
        CompanyTemplate("Ministry of Hajj and Religious Affairs", "وزارة الحج والشؤون الدينية",
                        "Kabul", "Shah Mahmood Ghazi Watt, Kabul", "Habibullah Popal"),
    ),
    "ETH": (
        CompanyTemplate("Ethiopian Islamic Affairs Supreme Council Hajj Committee",
                        "لجنة الحج بالمجلس الأعلى للشؤون الإسلامية الإثيوبي", "Addis Ababa",
                        "Anwar Mosque Area, Addis Ababa", "Kedir Mohammed"),
    ),
    "UZB": (
        CompanyTemplate("Muslim Board of Uzbekistan Hajj Mission",
                        "بعثة حج الإدارة الدينية لمسلمي أوزبكستان", "Tashkent",
                        "Zarqaynar ko'chasi 103, Tashkent", "Rustam Karimov"),
    ),
    "SEN": (
        CompanyTemplate("General Delegation for the Pilgrimage to Makkah", "المندوبية العامة للحج",
                        "Dakar", "Avenue Cheikh Anta Diop, Dakar", "Mamadou Diallo"),
    ),
    "MLI": (
        CompanyTemplate("Mali Hajj Commission", "لجنة الحج المالية", "Bamako",
                        "ACI 2000, Bamako", "Moussa Traoré"),
    ),
    "NER": (
        CompanyTemplate("Niger Hajj and Umrah Commission", "لجنة الحج والعمرة النيجرية",
                        "Niamey", "Boulevard de la République, Niamey", "Issoufou Maïga"),
    ),
    "YEM": (
        CompanyTemplate("Yemen Ministry of Endowments Hajj Mission",
                        "بعثة حج وزارة الأوقاف والإرشاد اليمنية", "Aden", "Khormaksar, Aden",
                        "Ahmed Al-Hadrami"),
    ),
    "TUN": (
        CompanyTemplate("Tunisian Hajj Mission", "البعثة التونسية للحج", "Tunis",
                        "Avenue Habib Bourguiba, Tunis", "Moncef Trabelsi"),
    ),
    "JOR": (
        CompanyTemplate("Jordan Ministry of Awqaf Hajj Mission",
                        "بعثة الحج الأردنية بوزارة الأوقاف", "Amman", "Abdali, Amman",
                        "Mohammed Al-Khatib"),
    ),
    "SOM": (
        CompanyTemplate("Somalia Ministry of Religious Affairs Hajj Mission", "بعثة الحج الصومالية",
                        "Mogadishu", "KM4, Hodan District, Mogadishu", "Abdirahman Warsame"),
    ),
    "SAU": (
        CompanyTemplate("Duyuf Al-Bayt Domestic Hajj Company", "شركة ضيوف البيت لحجاج الداخل",
                        "Riyadh", "King Fahd Road, Al-Olaya, Riyadh 12214",
                        "Abdullah Al-Qahtani"),
        CompanyTemplate("Rawahil Al-Mashaer Pilgrims Services", "شركة رواحل المشاعر لخدمات الحجاج",
                        "Jeddah", "Prince Sultan Road, Al-Rawdah, Jeddah 23435",
                        "Fahad Al-Ghamdi"),
        CompanyTemplate("Al-Rahma Domestic Pilgrims Establishment",
                        "مؤسسة الرحمة لخدمات حجاج الداخل", "Makkah",
                        "Al-Aziziyah Street, Al-Aziziyah, Makkah 24243", "Saad Al-Harbi"),
        CompanyTemplate("Taibah Al-Mashaer Hajj Services", "شركة طيبة المشاعر لخدمات الحج",
                        "Madinah", "King Abdullah Road, Al-Aziziyah, Madinah 42313",
                        "Majed Al-Juhani"),
        CompanyTemplate("Sharq Al-Khair Hajj Company", "شركة شرق الخير للحج", "Dammam",
                        "King Saud Street, Al-Faisaliyah, Dammam 32272", "Nasser Al-Dosari"),
    ),
    "GBR": (
        CompanyTemplate("Al-Hijrah Hajj and Umrah Travel Ltd", "الهجرة لسفر الحج والعمرة",
                        "London", "Whitechapel Road, London E1 1DU", "Imran Patel"),
        CompanyTemplate("Birmingham Hajj Pilgrims Services", "خدمات حجاج برمنغهام", "Birmingham",
                        "Coventry Road, Small Heath, Birmingham B10 0RX", "Tariq Mahmood"),
    ),
    "FRA": (
        CompanyTemplate("Voyages Al-Baraka Hajj", "رحلات البركة للحج", "Paris",
                        "Rue Myrha, 75018 Paris", "Karim Benali"),
        CompanyTemplate("Marseille Pèlerinage Services", "خدمات الحج مرسيليا", "Marseille",
                        "Boulevard National, 13003 Marseille", "Rachid Haddad"),
    ),
    "USA": (
        CompanyTemplate("Dar Al-Salam Hajj Tours", "دار السلام لرحلات الحج", "Dearborn",
                        "Michigan Avenue, Dearborn, MI 48126", "Hassan Ahmed"),
        CompanyTemplate("Crescent Hajj and Umrah Services", "الهلال لخدمات الحج والعمرة",
                        "New York", "Atlantic Avenue, Brooklyn, NY 11217", "Jamal Shabazz"),
    ),
    "RUS": (
        CompanyTemplate("Hajj Mission of the Spiritual Administration of Muslims of Russia",
                        "بعثة حج الإدارة الدينية لمسلمي روسيا", "Moscow",
                        "Vypolzov pereulok 7, Moscow", "Rinat Khairullin"),
        CompanyTemplate("Dagestan Hajj Pilgrims Centre", "مركز حجاج داغستان", "Makhachkala",
                        "Prospekt Imama Shamilya, Makhachkala", "Magomed Gadzhiev"),
    ),
    "CHN": (
        CompanyTemplate("Islamic Association of China Hajj Mission",
                        "بعثة حج الجمعية الإسلامية الصينية", "Beijing",
                        "103 Nanhengxi Street, Xicheng District, Beijing", "Ma Jun"),
    ),
    "BIH": (
        CompanyTemplate("Islamic Community of Bosnia and Herzegovina Hajj Office",
                        "مكتب الحج للمشيخة الإسلامية في البوسنة والهرسك", "Sarajevo",
                        "Reisa Džemaludina Čauševića 2, Sarajevo", "Emir Hodžić"),
    ),
    "KAZ": (
        CompanyTemplate("Spiritual Administration of Muslims of Kazakhstan Hajj Mission",
                        "بعثة حج الإدارة الدينية لمسلمي كازاخستان", "Almaty",
                        "Pushkin Street 16, Almaty", "Nurlan Ospanov"),
    ),
    # For a country the demo has no mission of its own for.
    "*": (
        CompanyTemplate("International Pilgrims Hajj Mission", "بعثة الحجاج الدولية", "Jeddah",
                        "Al-Andalus Street, Al-Hamra, Jeddah 23323", "Omar Al-Harbi"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Hotel:
    """Pilgrims' lodging near one of the two Holy Mosques (names invented for the demo)."""

    name: str
    name_ar: str
    city: Literal["makkah", "madinah"]
    district: str
    district_ar: str
    capacity: int


HOTELS: tuple[Hotel, ...] = (
    Hotel("Qasr Ajyad Hotel", "فندق قصر أجياد", "makkah", "Ajyad", "أجياد", 1800),
    Hotel("Dar Al-Sakinah Ajyad", "دار السكينة أجياد", "makkah", "Ajyad", "أجياد", 2400),
    Hotel("Manazil Al-Misfalah Hotel", "فندق منازل المسفلة", "makkah", "Al-Misfalah", "المسفلة",
          1200),
    Hotel("Rawabi Al-Misfalah Towers", "أبراج روابي المسفلة", "makkah", "Al-Misfalah",
          "المسفلة", 2800),
    Hotel("Nada Al-Aziziyah Hotel", "فندق ندى العزيزية", "makkah", "Al-Aziziyah", "العزيزية",
          900),
    Hotel("Al-Aziziyah Grand Residence", "سكن العزيزية الكبير", "makkah", "Al-Aziziyah",
          "العزيزية", 3000),
    Hotel("Dar Al-Salam Aziziyah", "دار السلام العزيزية", "makkah", "Al-Aziziyah", "العزيزية",
          650),
    Hotel("Jarwal Pilgrims Tower", "برج جرول للحجاج", "makkah", "Jarwal", "جرول", 1500),
    Hotel("Al-Shubaikah Plaza Hotel", "فندق بلازا الشبيكة", "makkah", "Al-Shubaikah",
          "الشبيكة", 750),
    Hotel("Kudai Gardens Hotel", "فندق حدائق كدي", "makkah", "Kudai", "كدي", 1100),
    Hotel("Al-Hajun View Hotel", "فندق إطلالة الحجون", "makkah", "Al-Hajun", "الحجون", 480),
    Hotel("Al-Naseem Pilgrims Residence", "سكن النسيم للحجاج", "makkah", "Al-Naseem", "النسيم",
          2000),
    Hotel("Anwar Al-Markazia Hotel", "فندق أنوار المركزية", "madinah", "Markazia", "المركزية",
          1400),
    Hotel("Manazil Al-Hijrah Markazia", "منازل الهجرة المركزية", "madinah", "Markazia",
          "المركزية", 2600),
    Hotel("Al-Ansar Central Hotel", "فندق الأنصار المركزي", "madinah", "Markazia", "المركزية",
          950),
    Hotel("Rawdat Al-Madinah Hotel", "فندق روضة المدينة", "madinah", "Markazia", "المركزية",
          700),
    Hotel("Bab Al-Salam Residence", "سكن باب السلام", "madinah", "Markazia", "المركزية", 300),
    Hotel("Quba Gardens Hotel", "فندق حدائق قباء", "madinah", "Quba", "قباء", 550),
    Hotel("Al-Aziziyah Madinah Residence", "سكن العزيزية بالمدينة", "madinah", "Al-Aziziyah",
          "العزيزية", 1300),
    Hotel("Al-Anbariyah Hotel", "فندق العنبرية", "madinah", "Al-Anbariyah", "العنبرية", 400),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The people.


@dataclass(frozen=True)
class DemoPerson:
    surname: str
    given_names: str
    surname_ar: str
    given_names_ar: str
    sex: Sex
    date_of_birth: date
    nationality: str  # ISO 3166-1 alpha-3
    passport_number: str
    passport_expiry: date
    phone: str  # E.164
    language: str  # BCP 47
    emergency_contact_name: str
    emergency_contact_phone: str


_MALE_SHARE = 0.55
_EARLIEST_BIRTH = date(1930, 1, 1)
_OLDEST = 95
# Before this the youngest adult pilgrims would have been born before _EARLIEST_BIRTH.
_EARLIEST_SEASON = date(1948, 1, 1)
_BIN: Name = ("bin", "بن")
_BINTI: Name = ("binti", "بنت")


@dataclass(frozen=True)
class _Named:
    own: Name  # the person's own given name(s), before any patronymic
    father: Name
    family: Name  # the surname as the family passes it on (masculine form)
    given: Name  # as the passport prints it
    surname: Name


def _join(*parts: Name) -> Name:
    return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)


def _name(
    rng: random.Random,
    culture: NamingCulture,
    sex: Sex,
    *,
    father: Name | None = None,
    family: Name | None = None,
) -> _Named:
    """A name in the culture's pattern; a relative passes the father or family to share."""
    if culture.lineage != "family":
        family = None
    fixed_surname: Name | None = None
    compound = sex == "M" and family is None and bool(culture.compounds)
    if compound and rng.random() < culture.compound_share:
        own, fixed_surname = rng.choice(culture.compounds)
    else:
        own = rng.choice(culture.male if sex == "M" else culture.female)
    prefixes = culture.male_prefixes if sex == "M" else culture.female_prefixes
    if prefixes and rng.random() < culture.prefix_share:
        prefix = rng.choice(prefixes)
        if not own[0].startswith(prefix[0]):
            own = _join(prefix, own)

    if culture.lineage == "malay":
        father = father or rng.choice(culture.family)
        given = _join(own, _BIN if sex == "M" else _BINTI, father)
        # The registry needs a surname and Malays have none: the father's name is what other
        # countries' forms and the sort order make of it.
        return _Named(own, father, father, given, father)
    if culture.lineage == "father":
        father = father or rng.choice(culture.family)
        return _Named(own, father, father, own, father)

    father = father or rng.choice(culture.male)
    given = own
    if culture.patronymic_share and rng.random() < culture.patronymic_share:
        given = _join(own, father)
    base = fixed_surname or family or rng.choice(culture.family)
    surname = base
    if sex == "F":
        if culture.female_family and rng.random() < culture.female_family_share:
            surname = rng.choice(culture.female_family)
        elif culture.feminine_surnames:
            surname = (base[0] + "a", base[1] + "ا")
    return _Named(own, father, base, given, surname)


def _relative(rng: random.Random, culture: NamingCulture, pilgrim: _Named, sex: Sex) -> _Named:
    """Whom a pilgrim leaves at home to be called: a grown child, the spouse, or a sibling."""
    roll = rng.random()
    if roll < 0.55:
        child_sex: Sex = rng.choice(("M", "F"))
        if sex == "M":
            return _name(rng, culture, child_sex, father=pilgrim.own, family=pilgrim.family)
        # A mother's children carry their father's names, which the demo does not know.
        return _name(rng, culture, child_sex)
    if roll < 0.8:
        spouse_sex: Sex = "F" if sex == "M" else "M"
        shared = pilgrim.family if culture.wife_takes_surname else None
        return _name(rng, culture, spouse_sex, family=shared)
    sibling_sex: Sex = rng.choice(("M", "F"))
    return _name(rng, culture, sibling_sex, father=pilgrim.father, family=pilgrim.family)


def _full_name(culture: NamingCulture, named: _Named) -> str:
    if culture.lineage == "malay":
        return named.given[0]
    if culture.surname_first:
        return f"{named.surname[0]} {named.given[0]}"
    return f"{named.given[0]} {named.surname[0]}"


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _age(rng: random.Random) -> int:
    """Mostly 40-75 around a median of about 55; some younger adults; a tail to the nineties."""
    roll = rng.random()
    if roll < 0.12:
        return rng.randint(18, 39)
    if roll < 0.92:
        return min(75, int(rng.triangular(40, 76, 55)))
    return min(_OLDEST, int(rng.triangular(76, _OLDEST + 1, 76)))


def _birth_date(rng: random.Random, nat: Nationality, season_start: date) -> date:
    age = _age(rng)
    latest = _shift_years(season_start, -age)
    earliest = _shift_years(season_start, -age - 1) + timedelta(days=1)
    born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    # Rounding down to 1 January ages a pilgrim by at most a year; the oldest stay as they are.
    if age < _OLDEST and rng.random() < nat.january_first_share:
        born = date(born.year, 1, 1)
    return max(born, _EARLIEST_BIRTH)


def _fill(rng: random.Random, pattern: str, letters: str) -> str:
    """A passport format filled in; each run of digits is drawn at once, which is faster."""
    out: list[str] = []
    for char, run in groupby(pattern):
        size = len(list(run))
        if char == "#":
            out.append(f"{rng.randrange(10**size):0{size}d}")
        elif char == "@":
            out.extend(rng.choice(letters) for _ in range(size))
        else:
            out.append(char * size)
    return "".join(out)


def _passport_number(rng: random.Random, nat: Nationality, used: set[str]) -> str:
    for _ in range(1_000):
        number = _fill(rng, rng.choice(nat.passport_formats), nat.passport_letters)
        if number not in used:
            used.add(number)
            return number
    raise RuntimeError(f"{nat.code}: no unused passport number left in {nat.passport_formats}")


def _phone(rng: random.Random, nat: Nationality) -> str:
    start = rng.choice(nat.mobile_starts)
    return f"{nat.phone_prefix}{start}{rng.randrange(10**nat.mobile_digits):0{nat.mobile_digits}d}"


def generate_people(n: int, *, seed: int = 1447, season_start: date) -> list[DemoPerson]:
    """n pilgrims of the season starting on season_start; the same n and seed, the same people.

    Each person's draws come one after another from one generator, so that the first k of a
    larger run are the people a run of k makes. Passport numbers are unique per nationality.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    if season_start < _EARLIEST_SEASON:
        raise ValueError(f"a season before {_EARLIEST_SEASON} cannot have adults born after 1930")
    rng = random.Random(seed)
    used: dict[str, set[str]] = {}
    people: list[DemoPerson] = []
    # Saudi Arabia wants six months' validity; the demo's passports have a year or more left.
    expiry_from = _shift_years(season_start, 1)
    expiry_span = (_shift_years(season_start, 9) - expiry_from).days
    for _ in range(n):
        nat = rng.choices(NATIONALITIES, cum_weights=_CUMULATIVE_WEIGHTS)[0]
        key = nat.names
        if nat.alt_names and rng.random() < nat.alt_share:
            key = nat.alt_names
        culture = CULTURES[key]
        sex: Sex = "M" if rng.random() < _MALE_SHARE else "F"
        named = _name(rng, culture, sex)
        relative = _relative(rng, culture, named, sex)
        born = _birth_date(rng, nat, season_start)
        passport = _passport_number(rng, nat, used.setdefault(nat.code, set()))
        expiry = expiry_from + timedelta(days=rng.randrange(expiry_span + 1))
        phone = _phone(rng, nat)
        contact_phone = _phone(rng, nat)
        while contact_phone == phone:
            contact_phone = _phone(rng, nat)
        people.append(
            DemoPerson(
                surname=named.surname[0],
                given_names=named.given[0],
                surname_ar=named.surname[1],
                given_names_ar=named.given[1],
                sex=sex,
                date_of_birth=born,
                nationality=nat.code,
                passport_number=passport,
                passport_expiry=expiry,
                phone=phone,
                language=nat.language,
                emergency_contact_name=_full_name(culture, relative),
                emergency_contact_phone=contact_phone,
            )
        )
    return people
