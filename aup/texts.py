# ruff: noqa: E501, RUF001  (agreement texts are prose: one paragraph a line, as schools paste them; translations use their own scripts' punctuation)
"""Starting texts for each audience's agreement, drawn from the seed policies; every school edits its own."""

from __future__ import annotations

from .models import Audience

DEFAULT_TITLES = {
    Audience.STAFF: "Staff acceptable use agreement",
    Audience.PUPIL_YOUNGER: "Pupil acceptable use agreement (early years and Key Stage 1)",
    Audience.PUPIL_OLDER: "Pupil acceptable use agreement (Key Stage 2 and above)",
    Audience.PARENT: "Parents' and carers' acceptable use agreement and photo consent",
    Audience.VISITOR: "Visitors' and guests' acceptable use agreement",
    Audience.GOVERNOR: "Governors' acceptable use agreement",
    Audience.SOCIAL_MEDIA: "Official social media acceptable use agreement",
}

DEFAULT_TEXTS = {
    Audience.STAFF: """\
I will use the school's devices, network and systems only for my professional role.
I will keep my passwords private and never let a pupil log on with my account.
I will not store pupils' photographs or personal data on personal devices or removable media; photographs taken on school devices are moved to the secure staff drive and deleted from the device before it leaves the site.
My personal mobile phone is stored securely during working hours and never used in the presence of children, nor to photograph them.
I will report any online-safety concern, any filtering failure and any misuse of technology to the Designated Safeguarding Lead at once.
I understand that my use of school systems is monitored and that misuse may lead to disciplinary action.""",
    Audience.PUPIL_YOUNGER: """\
I only use the computer or tablet when a grown-up says I can.
I only click on things a grown-up has said I can use.
If something on a screen makes me feel worried or upset, I tell a grown-up straight away.
I am kind online, just like I am in the classroom.
I never tell anyone online my name, my address or my school.""",
    Audience.PUPIL_OLDER: """\
I will use the school's computers and the internet for schoolwork only, and only when a teacher allows it.
I will keep my password secret and never use someone else's login.
I will not look at, change or delete other people's files.
I will be polite and kind in everything I send or post, and I will not share pictures of other people without asking them.
I will never arrange to meet someone I have only met online.
If I see something that upsets me, or someone asks me to do something that makes me uncomfortable, I will tell a trusted adult.
I understand that the school checks how I use its computers and the internet.""",
    Audience.PARENT: """\
I have read the school's online safety policy and talked with my child about their acceptable use agreement.
I understand that the school filters and monitors the internet it provides, but that no filtering is perfect.
I will support the school by encouraging my child to use technology safely and kindly at home.
At school events I will only photograph or film my own child, and I will not publish pictures of other children on social media.
I will tell the school if I have any concern about my child's safety online.
My answers to the consent questions below apply until I change them; I can withdraw any consent at any time.""",
    Audience.VISITOR: """\
I will not photograph or film any child while I am in school.
I will use the school's wireless network, if I am given access, only for the purpose of my visit.
I will keep my mobile phone out of sight of children and will not use it in classrooms.
I will not share any personal information about pupils or staff that I learn during my visit.
I will tell the school office or the Designated Safeguarding Lead at once about any concern for a child's safety.""",
    Audience.GOVERNOR: """\
I will use school systems and any school email account only for my role as a governor.
I will keep confidential papers and personal data secure and will not store them on shared or personal devices.
I will not discuss individual pupils or staff outside governing board meetings.
I understand my responsibilities for the school's filtering and monitoring provision under the DfE standards.
I will report any concern about a child's safety to the Designated Safeguarding Lead at once.""",
    Audience.SOCIAL_MEDIA: """\
I will post on the school's official accounts only with the approval the social media policy requires.
I will only publish photographs of pupils whose parents have consented to that use, and never with their full name.
I will not use the official accounts for personal views, and I will keep their passwords secure.
I will report abusive or concerning comments to the Designated Safeguarding Lead and remove them as the policy says.""",
}


# Drafts of the default parents' agreement (DEFAULT_TEXTS[Audience.PARENT]) and its consent questions
# (models.DEFAULT_CONSENT_ITEMS, same order) in the languages a school may offer: (title, text, questions). For the
# demo and the tests; a school uploads its own translation of its own text. Written by the development team in
# plain, respectful language: a fluent native speaker must review each before a school relies on it.
DRAFT_PARENT_TRANSLATIONS: dict[str, tuple[str, str, list[str]]] = {
    "cy": (
        "Cytundeb defnydd derbyniol a chaniatâd lluniau i rieni a gofalwyr",
        """\
Rwyf wedi darllen polisi diogelwch ar-lein yr ysgol ac wedi siarad â'm plentyn am ei gytundeb defnydd derbyniol.
Rwy'n deall bod yr ysgol yn hidlo ac yn monitro'r rhyngrwyd y mae'n ei ddarparu, ond nad oes unrhyw hidlo'n berffaith.
Byddaf yn cefnogi'r ysgol drwy annog fy mhlentyn i ddefnyddio technoleg yn ddiogel ac yn garedig gartref.
Mewn digwyddiadau ysgol, byddaf yn tynnu lluniau neu'n ffilmio fy mhlentyn fy hun yn unig, ac ni fyddaf yn cyhoeddi lluniau o blant eraill ar y cyfryngau cymdeithasol.
Byddaf yn dweud wrth yr ysgol os oes gennyf unrhyw bryder am ddiogelwch fy mhlentyn ar-lein.
Mae fy atebion i'r cwestiynau caniatâd isod yn berthnasol nes i mi eu newid; gallaf dynnu unrhyw ganiatâd yn ôl ar unrhyw adeg.""",
        [
            "Lluniau ar wefan yr ysgol",
            "Lluniau yn y prosbectws a deunydd printiedig",
            "Fideo a gwe-gamera (er enghraifft perfformiadau wedi'u recordio a gwersi o bell)",
            "Lluniau ar arddangosfeydd yn yr ysgol",
            "Lluniau ar arddangosfeydd y tu allan i'r ysgol (er enghraifft mewn digwyddiadau lleol)",
            "Y wasg a'r cyfryngau (papurau newydd, gwefannau newyddion lleol)",
        ],
    ),
    "pl": (
        "Umowa rodziców i opiekunów o zasadach korzystania z technologii oraz zgoda na zdjęcia",
        """\
Zapoznałem(-am) się z polityką bezpieczeństwa w internecie obowiązującą w szkole i porozmawiałem(-am) z dzieckiem o jego umowie o zasadach korzystania z technologii.
Rozumiem, że szkoła filtruje i monitoruje udostępniany przez siebie internet, ale żadne filtrowanie nie jest doskonałe.
Będę wspierać szkołę, zachęcając dziecko do bezpiecznego i życzliwego korzystania z technologii w domu.
Podczas wydarzeń szkolnych będę fotografować lub filmować wyłącznie własne dziecko i nie będę publikować zdjęć innych dzieci w mediach społecznościowych.
Poinformuję szkołę o wszelkich obawach dotyczących bezpieczeństwa mojego dziecka w internecie.
Moje odpowiedzi na poniższe pytania o zgodę obowiązują do czasu ich zmiany; mogę wycofać każdą zgodę w dowolnym momencie.""",
        [
            "Zdjęcia na stronie internetowej szkoły",
            "Zdjęcia w informatorze i materiałach drukowanych",
            "Wideo i kamera internetowa (na przykład nagrania występów i lekcje zdalne)",
            "Zdjęcia na wystawach w szkole",
            "Zdjęcia na wystawach poza szkołą (na przykład podczas lokalnych wydarzeń)",
            "Prasa i media (gazety, lokalne serwisy informacyjne)",
        ],
    ),
    "ro": (
        "Acordul de utilizare acceptabilă și consimțământul pentru fotografii – părinți și tutori",
        """\
Am citit politica școlii privind siguranța online și am vorbit cu copilul meu despre acordul său de utilizare acceptabilă.
Înțeleg că școala filtrează și monitorizează internetul pe care îl oferă, dar că nicio filtrare nu este perfectă.
Voi sprijini școala încurajându-mi copilul să folosească tehnologia în siguranță și cu bunătate acasă.
La evenimentele școlii voi fotografia sau filma doar propriul copil și nu voi publica fotografii cu alți copii pe rețelele sociale.
Voi anunța școala dacă am vreo îngrijorare legată de siguranța online a copilului meu.
Răspunsurile mele la întrebările de consimțământ de mai jos sunt valabile până când le modific; pot retrage oricând orice consimțământ.""",
        [
            "Fotografii pe site-ul școlii",
            "Fotografii în prospect și în materialele tipărite",
            "Video și cameră web (de exemplu spectacole înregistrate și lecții la distanță)",
            "Fotografii expuse în școală",
            "Fotografii expuse în afara școlii (de exemplu la evenimente locale)",
            "Presă și media (ziare, site-uri de știri locale)",
        ],
    ),
    "ur": (
        "والدین اور سرپرستوں کے لیے قابلِ قبول استعمال کا معاہدہ اور تصاویر کی اجازت",
        """\
میں نے اسکول کی آن لائن حفاظت کی پالیسی پڑھ لی ہے اور اپنے بچے سے اس کے قابلِ قبول استعمال کے معاہدے کے بارے میں بات کی ہے۔
میں سمجھتا/سمجھتی ہوں کہ اسکول اپنے فراہم کردہ انٹرنیٹ کو فلٹر اور مانیٹر کرتا ہے، لیکن کوئی بھی فلٹرنگ مکمل نہیں ہوتی۔
میں گھر پر اپنے بچے کو ٹیکنالوجی محفوظ طریقے سے اور مہربانی کے ساتھ استعمال کرنے کی ترغیب دے کر اسکول کا ساتھ دوں گا/گی۔
اسکول کی تقریبات میں میں صرف اپنے بچے کی تصویر یا ویڈیو بناؤں گا/گی، اور دوسرے بچوں کی تصاویر سوشل میڈیا پر شائع نہیں کروں گا/گی۔
اگر مجھے اپنے بچے کی آن لائن حفاظت کے بارے میں کوئی تشویش ہو تو میں اسکول کو بتاؤں گا/گی۔
نیچے دیے گئے اجازت کے سوالات کے میرے جوابات اس وقت تک لاگو رہیں گے جب تک میں انہیں تبدیل نہ کروں؛ میں کسی بھی وقت کوئی بھی اجازت واپس لے سکتا/سکتی ہوں۔""",
        [
            "اسکول کی ویب سائٹ پر تصاویر",
            "پراسپیکٹس اور چھپے ہوئے مواد میں تصاویر",
            "ویڈیو اور ویب کیم (مثلاً ریکارڈ شدہ پرفارمنس اور آن لائن اسباق)",
            "اسکول کے اندر نمائش میں تصاویر",
            "اسکول کے باہر نمائش میں تصاویر (مثلاً مقامی تقریبات میں)",
            "پریس اور میڈیا (اخبارات، مقامی خبروں کی ویب سائٹس)",
        ],
    ),
    "pa": (
        "ਮਾਪਿਆਂ ਅਤੇ ਸਰਪ੍ਰਸਤਾਂ ਲਈ ਸਵੀਕਾਰਯੋਗ ਵਰਤੋਂ ਸਮਝੌਤਾ ਅਤੇ ਤਸਵੀਰਾਂ ਦੀ ਸਹਿਮਤੀ",
        """\
ਮੈਂ ਸਕੂਲ ਦੀ ਔਨਲਾਈਨ ਸੁਰੱਖਿਆ ਨੀਤੀ ਪੜ੍ਹ ਲਈ ਹੈ ਅਤੇ ਆਪਣੇ ਬੱਚੇ ਨਾਲ ਉਸ ਦੇ ਸਵੀਕਾਰਯੋਗ ਵਰਤੋਂ ਸਮਝੌਤੇ ਬਾਰੇ ਗੱਲ ਕੀਤੀ ਹੈ।
ਮੈਂ ਸਮਝਦਾ/ਸਮਝਦੀ ਹਾਂ ਕਿ ਸਕੂਲ ਆਪਣੇ ਦਿੱਤੇ ਇੰਟਰਨੈੱਟ ਨੂੰ ਫਿਲਟਰ ਕਰਦਾ ਹੈ ਅਤੇ ਉਸ ਦੀ ਨਿਗਰਾਨੀ ਕਰਦਾ ਹੈ, ਪਰ ਕੋਈ ਵੀ ਫਿਲਟਰ ਪੂਰੀ ਤਰ੍ਹਾਂ ਠੀਕ ਨਹੀਂ ਹੁੰਦਾ।
ਮੈਂ ਘਰ ਵਿੱਚ ਆਪਣੇ ਬੱਚੇ ਨੂੰ ਤਕਨਾਲੋਜੀ ਸੁਰੱਖਿਅਤ ਢੰਗ ਨਾਲ ਅਤੇ ਦਿਆਲਤਾ ਨਾਲ ਵਰਤਣ ਲਈ ਉਤਸ਼ਾਹਿਤ ਕਰਕੇ ਸਕੂਲ ਦਾ ਸਾਥ ਦੇਵਾਂਗਾ/ਦੇਵਾਂਗੀ।
ਸਕੂਲ ਦੇ ਸਮਾਗਮਾਂ ਵਿੱਚ ਮੈਂ ਸਿਰਫ਼ ਆਪਣੇ ਬੱਚੇ ਦੀ ਤਸਵੀਰ ਜਾਂ ਵੀਡੀਓ ਬਣਾਵਾਂਗਾ/ਬਣਾਵਾਂਗੀ, ਅਤੇ ਦੂਜੇ ਬੱਚਿਆਂ ਦੀਆਂ ਤਸਵੀਰਾਂ ਸੋਸ਼ਲ ਮੀਡੀਆ 'ਤੇ ਨਹੀਂ ਪਾਵਾਂਗਾ/ਪਾਵਾਂਗੀ।
ਜੇ ਮੈਨੂੰ ਆਪਣੇ ਬੱਚੇ ਦੀ ਔਨਲਾਈਨ ਸੁਰੱਖਿਆ ਬਾਰੇ ਕੋਈ ਚਿੰਤਾ ਹੋਵੇ ਤਾਂ ਮੈਂ ਸਕੂਲ ਨੂੰ ਦੱਸਾਂਗਾ/ਦੱਸਾਂਗੀ।
ਹੇਠਾਂ ਦਿੱਤੇ ਸਹਿਮਤੀ ਦੇ ਸਵਾਲਾਂ ਦੇ ਮੇਰੇ ਜਵਾਬ ਉਦੋਂ ਤੱਕ ਲਾਗੂ ਰਹਿਣਗੇ ਜਦੋਂ ਤੱਕ ਮੈਂ ਉਨ੍ਹਾਂ ਨੂੰ ਨਹੀਂ ਬਦਲਦਾ/ਬਦਲਦੀ; ਮੈਂ ਕਿਸੇ ਵੀ ਸਮੇਂ ਕੋਈ ਵੀ ਸਹਿਮਤੀ ਵਾਪਸ ਲੈ ਸਕਦਾ/ਸਕਦੀ ਹਾਂ।""",
        [
            "ਸਕੂਲ ਦੀ ਵੈੱਬਸਾਈਟ 'ਤੇ ਤਸਵੀਰਾਂ",
            "ਪ੍ਰਾਸਪੈਕਟਸ ਅਤੇ ਛਪੀ ਸਮੱਗਰੀ ਵਿੱਚ ਤਸਵੀਰਾਂ",
            "ਵੀਡੀਓ ਅਤੇ ਵੈੱਬਕੈਮ (ਜਿਵੇਂ ਰਿਕਾਰਡ ਕੀਤੇ ਪ੍ਰੋਗਰਾਮ ਅਤੇ ਔਨਲਾਈਨ ਪਾਠ)",
            "ਸਕੂਲ ਅੰਦਰ ਪ੍ਰਦਰਸ਼ਨੀਆਂ 'ਤੇ ਤਸਵੀਰਾਂ",
            "ਸਕੂਲ ਤੋਂ ਬਾਹਰ ਪ੍ਰਦਰਸ਼ਨੀਆਂ 'ਤੇ ਤਸਵੀਰਾਂ (ਜਿਵੇਂ ਸਥਾਨਕ ਸਮਾਗਮਾਂ ਵਿੱਚ)",
            "ਪ੍ਰੈੱਸ ਅਤੇ ਮੀਡੀਆ (ਅਖ਼ਬਾਰ, ਸਥਾਨਕ ਖ਼ਬਰਾਂ ਦੀਆਂ ਵੈੱਬਸਾਈਟਾਂ)",
        ],
    ),
    "ar": (
        "اتفاقية الاستخدام المقبول والموافقة على الصور لأولياء الأمور ومقدّمي الرعاية",
        """\
لقد قرأت سياسة المدرسة للسلامة على الإنترنت وتحدثت مع طفلي عن اتفاقية الاستخدام المقبول الخاصة به.
أدرك أن المدرسة تقوم بتصفية الإنترنت الذي توفّره ومراقبته، لكن لا توجد تصفية كاملة.
سأدعم المدرسة بتشجيع طفلي على استخدام التكنولوجيا بأمان ولطف في المنزل.
في فعاليات المدرسة لن أصوّر أو أسجّل إلا طفلي، ولن أنشر صورًا لأطفال آخرين على وسائل التواصل الاجتماعي.
سأبلغ المدرسة إذا كان لديّ أي قلق بشأن سلامة طفلي على الإنترنت.
تبقى إجاباتي عن أسئلة الموافقة أدناه سارية إلى أن أغيّرها، ويمكنني سحب أي موافقة في أي وقت.""",
        [
            "صور على موقع المدرسة الإلكتروني",
            "صور في كتيّب المدرسة والمواد المطبوعة",
            "الفيديو وكاميرا الويب (مثل العروض المسجّلة والدروس عن بُعد)",
            "صور في المعارض داخل المدرسة",
            "صور في المعارض خارج المدرسة (مثل الفعاليات المحلية)",
            "الصحافة ووسائل الإعلام (الصحف ومواقع الأخبار المحلية)",
        ],
    ),
    "bn": (
        "অভিভাবক ও পরিচর্যাকারীদের গ্রহণযোগ্য ব্যবহার চুক্তি ও ছবির সম্মতি",
        """\
আমি স্কুলের অনলাইন নিরাপত্তা নীতি পড়েছি এবং আমার সন্তানের সাথে তার গ্রহণযোগ্য ব্যবহার চুক্তি নিয়ে কথা বলেছি।
আমি বুঝি যে স্কুল তার দেওয়া ইন্টারনেট ফিল্টার ও পর্যবেক্ষণ করে, কিন্তু কোনো ফিল্টারই নিখুঁত নয়।
বাড়িতে আমার সন্তানকে নিরাপদে ও সদয়ভাবে প্রযুক্তি ব্যবহারে উৎসাহ দিয়ে আমি স্কুলকে সহায়তা করব।
স্কুলের অনুষ্ঠানে আমি শুধু আমার নিজের সন্তানের ছবি তুলব বা ভিডিও করব, এবং অন্য শিশুদের ছবি সোশ্যাল মিডিয়ায় প্রকাশ করব না।
আমার সন্তানের অনলাইন নিরাপত্তা নিয়ে কোনো উদ্বেগ থাকলে আমি স্কুলকে জানাব।
নিচের সম্মতির প্রশ্নগুলোর উত্তর আমি পরিবর্তন না করা পর্যন্ত বহাল থাকবে; আমি যেকোনো সময় যেকোনো সম্মতি প্রত্যাহার করতে পারি।""",
        [
            "স্কুলের ওয়েবসাইটে ছবি",
            "প্রসপেক্টাস ও ছাপা উপকরণে ছবি",
            "ভিডিও ও ওয়েবক্যাম (যেমন রেকর্ড করা অনুষ্ঠান ও দূরশিক্ষণ ক্লাস)",
            "স্কুলের ভেতরে প্রদর্শনীতে ছবি",
            "স্কুলের বাইরে প্রদর্শনীতে ছবি (যেমন স্থানীয় অনুষ্ঠানে)",
            "সংবাদমাধ্যম ও মিডিয়া (সংবাদপত্র, স্থানীয় সংবাদ ওয়েবসাইট)",
        ],
    ),
}
