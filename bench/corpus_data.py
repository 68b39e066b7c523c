"""Hand-written content tables for `gen_corpus.py`: prose, names, month names, site templates.

All of it is invented for the benchmark (no article, account or site here is real); the
markup shapes that use it live in `gen_corpus.py`. Kept apart so the generator reads as
logic and this file as data.
"""

from __future__ import annotations

#: The languages of article bodies. Tweets may be in any of them, whatever the page's language.
LANGS: tuple[str, ...] = ("en", "pt", "es", "fr", "de", "ru", "ar", "ja")

#: Languages a tweet embed's date may be rendered in (`data-lang`), beyond the article languages.
DATE_LANGS: tuple[str, ...] = (*LANGS, "it", "nl", "tr", "ko")

#: Month names as the embed widget writes them in a signature (genitive where the language
#: declines them: "21 октября 2015 г.").
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
           "октября", "ноября", "декабря"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
           "Kasım", "Aralık"),
}

#: The reader's UTC offset (hours) assumed for each date language: the widget renders the
#: *local* calendar date, so a signature can be a day off the snowflake's UTC date.
TZ_HOURS: dict[str, int] = {
    "en": -5, "pt": -3, "es": 1, "fr": 1, "de": 1, "ru": 3, "ar": 3, "ja": 9,
    "it": 1, "nl": 1, "tr": 3, "ko": 9,
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "pt": ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado",
           "domingo"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "ru": ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
}

PLACES: dict[str, tuple[str, ...]] = {
    "en": ("Northfield", "the river delta", "Port Ellis", "the eastern provinces", "Greyhaven", "Lakeside"),
    "pt": ("Vale do Norte", "Serra Alta", "Porto Claro", "Campo Verde", "Ribeira Funda", "Águas Belas"),
    "es": ("Valle Hondo", "Puerto Alegre", "Sierra Morena del Sur", "Los Llanos", "Villanueva", "Riofrío"),
    "fr": ("Val-d'Orme", "Saint-Aubin-sur-Loire", "Montclair", "Les Ormeaux", "Beaulac", "Port-Marin"),
    "de": ("Talheim", "Neustadt am Fluss", "Bergfeld", "Rheinau", "Seewalde", "Kleinmoor"),
    "ru": ("Заречье", "Приозёрск-2", "Верхнеречье", "Сосновка", "Новоборск", "Белогорье"),
    "ar": ("وادي النخيل", "الميناء الجديد", "جبل السلام", "الواحة", "المدينة القديمة", "السهل الشرقي"),
    "ja": ("北浜市", "南台町", "青葉区", "港川村", "東山地区", "白石市"),
}

PEOPLE: dict[str, tuple[str, ...]] = {
    "en": ("Sarah Okafor", "James Whitley", "Priya Raman", "Tom Castell", "Helen Moss", "Daniel Reyes"),
    "pt": ("Ana Luíza Prado", "João Batista Neves", "Mariana Costa", "Rui Fontes", "Carla Meireles",
           "Paulo Sérgio Lima"),
    "es": ("María José Ortega", "Andrés Villalba", "Lucía Ferrer", "Jorge Ibáñez", "Carmen Soler",
           "Diego Alcántara"),
    "fr": ("Claire Dumas", "Étienne Rocher", "Nadia Benali", "Julien Marchetti", "Sophie Lenoir",
           "Hugo Vasseur"),
    "de": ("Katrin Vogel", "Jörg Hansen", "Miriam Öztürk", "Felix Brandt", "Ulrike Seidel", "Tobias Krämer"),
    "ru": ("Анна Воронцова", "Игорь Семёнов", "Ольга Лебедева", "Дмитрий Котов", "Марина Зайцева",
           "Сергей Белов"),
    "ar": ("أحمد النجار", "ليلى حداد", "خالد منصور", "سارة العلي", "يوسف الحسيني", "مريم سليمان"),
    "ja": ("佐藤美咲", "田中健一", "鈴木彩", "高橋誠", "伊藤由美", "渡辺拓也"),
}

ORGS: dict[str, tuple[str, ...]] = {
    "en": ("the Transport Ministry", "Northfield Power", "the Civic Data Institute", "United Growers"),
    "pt": ("o Ministério dos Transportes", "a Companhia Elétrica do Vale", "o Instituto Cívico",
           "a Federação dos Produtores"),
    "es": ("el Ministerio de Transportes", "Eléctrica del Sur", "el Instituto Cívico", "la Unión Agraria"),
    "fr": ("le ministère des Transports", "Énergie Loire", "l'Institut civique", "l'Union des producteurs"),
    "de": ("das Verkehrsministerium", "Stadtwerke Talheim", "das Bürgerdaten-Institut", "der Bauernverband"),
    "ru": ("Минтранса", "компании «Северэнерго»", "Гражданского института", "Союза фермеров"),
    "ar": ("وزارة النقل", "شركة كهرباء الوادي", "المعهد المدني", "اتحاد المزارعين"),
    "ja": ("国土交通省", "北浜電力", "市民データ研究所", "農業協同組合"),
}

#: Sentences with {place} {person} {org} {num} {weekday} slots, written for this benchmark.
SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "The ministry said on {weekday} that {num} people had been evacuated from {place} after the floods.",
        "Officials in {place} declined to comment on the report, citing an ongoing investigation.",
        "{person}, a spokesperson for {org}, told reporters the talks would resume next week.",
        "Prices rose {num} percent in the year to March, the fastest pace since records began.",
        "Witnesses described long queues outside polling stations across {place}.",
        "The decision was welcomed by opposition parties but criticised by industry groups.",
        "Analysts at {org} expect the central bank to keep rates on hold until the spring.",
        "Rescue teams worked through the night to reach villages cut off by landslides near {place}.",
        "In a statement posted online, {org} said the outage had affected {num} customers.",
        "The match ended goalless after {person} missed a penalty in the second half.",
        "Researchers say the findings could change how hospitals treat the condition.",
        "It was not immediately clear who was responsible for the attack in {place}.",
    ),
    "pt": (
        "O ministério informou na {weekday} que {num} pessoas foram retiradas de {place} após as enchentes.",
        "Autoridades de {place} não quiseram comentar o relatório, alegando que a investigação continua.",
        "{person}, porta-voz de {org}, disse a jornalistas que as negociações serão retomadas na próxima "
        "semana.",
        "Os preços subiram {num}% em doze meses, o ritmo mais rápido desde o início da série histórica.",
        "Testemunhas descreveram longas filas diante das seções eleitorais em {place}.",
        "A decisão foi bem recebida pela oposição, mas criticada por entidades do setor.",
        "Analistas de {org} esperam que o Banco Central mantenha os juros até o fim do ano.",
        "Equipes de resgate trabalharam durante a madrugada para chegar às comunidades isoladas de {place}.",
        "Em nota publicada nas redes sociais, {org} afirmou que a falha atingiu {num} clientes.",
        "A partida terminou sem gols depois que {person} desperdiçou um pênalti no segundo tempo.",
        "Segundo os pesquisadores, a descoberta pode mudar o tratamento da doença nos hospitais.",
        "Ainda não está claro quem foi o responsável pelo ataque em {place}.",
    ),
    "es": (
        "El ministerio informó el {weekday} que {num} personas fueron evacuadas de {place} tras las "
        "inundaciones.",
        "Las autoridades de {place} declinaron comentar el informe, alegando que la investigación sigue "
        "abierta.",
        "{person}, portavoz de {org}, dijo a los periodistas que las conversaciones se reanudarán la "
        "próxima semana.",
        "Los precios subieron un {num}% interanual, el ritmo más rápido desde que hay registros.",
        "Los testigos describieron largas colas frente a los colegios electorales de {place}.",
        "La decisión fue celebrada por la oposición pero criticada por las patronales del sector.",
        "Los analistas de {org} prevén que el banco central mantenga los tipos hasta la primavera.",
        "Los equipos de rescate trabajaron toda la noche para llegar a los pueblos aislados de {place}.",
        "En un comunicado difundido en redes, {org} aseguró que el apagón afectó a {num} clientes.",
        "El partido terminó sin goles después de que {person} fallara un penalti en la segunda parte.",
        "Según los investigadores, el hallazgo podría cambiar el tratamiento de la enfermedad.",
        "No está claro todavía quién está detrás del ataque en {place}.",
    ),
    "fr": (
        "Le ministère a indiqué {weekday} que {num} personnes avaient été évacuées de {place} après les "
        "inondations.",
        "Les autorités de {place} se sont refusées à tout commentaire, invoquant une enquête en cours.",
        "{person}, porte-parole de {org}, a déclaré à la presse que les discussions reprendraient la "
        "semaine prochaine.",
        "Les prix ont augmenté de {num} % sur un an, le rythme le plus rapide depuis le début des relevés.",
        "Des témoins ont décrit de longues files d'attente devant les bureaux de vote à {place}.",
        "La décision a été saluée par l'opposition mais critiquée par les organisations patronales.",
        "Les analystes de {org} s'attendent à ce que la banque centrale maintienne ses taux jusqu'au "
        "printemps.",
        "Les secouristes ont travaillé toute la nuit pour atteindre les villages isolés autour de {place}.",
        "Dans un communiqué publié en ligne, {org} a précisé que la panne avait touché {num} clients.",
        "Le match s'est terminé sur un score nul après le penalty manqué par {person} en seconde période.",
        "Selon les chercheurs, ces résultats pourraient changer la prise en charge de la maladie.",
        "On ignorait encore qui était à l'origine de l'attaque à {place}.",
    ),
    "de": (
        "Das Ministerium teilte am {weekday} mit, dass {num} Menschen nach den Überschwemmungen aus {place} "
        "in Sicherheit gebracht wurden.",
        "Die Behörden in {place} wollten sich unter Verweis auf laufende Ermittlungen nicht äußern.",
        "{person}, Sprecher von {org}, sagte vor Journalisten, die Gespräche würden kommende Woche "
        "fortgesetzt.",
        "Die Preise stiegen binnen eines Jahres um {num} Prozent, so stark wie nie seit Beginn der "
        "Aufzeichnungen.",
        "Augenzeugen berichteten von langen Schlangen vor den Wahllokalen in {place}.",
        "Die Opposition begrüßte die Entscheidung, Wirtschaftsverbände kritisierten sie scharf.",
        "Analysten von {org} erwarten, dass die Zentralbank die Zinsen bis zum Frühjahr unverändert lässt.",
        "Rettungskräfte arbeiteten die ganze Nacht, um die abgeschnittenen Dörfer bei {place} zu erreichen.",
        "In einer im Netz veröffentlichten Erklärung hieß es bei {org}, der Ausfall habe {num} Kunden "
        "betroffen.",
        "Das Spiel endete torlos, nachdem {person} in der zweiten Halbzeit einen Elfmeter vergeben hatte.",
        "Nach Ansicht der Forscher könnten die Ergebnisse die Behandlung der Krankheit verändern.",
        "Wer hinter dem Angriff in {place} steckt, war zunächst unklar.",
    ),
    "ru": (
        "В {weekday} министерство сообщило, что из района {place} после наводнения эвакуированы {num} "
        "человек.",
        "Власти района {place} отказались комментировать доклад, сославшись на продолжающееся "
        "расследование.",
        "{person}, представитель {org}, заявил журналистам, что переговоры возобновятся на следующей "
        "неделе.",
        "За год цены выросли на {num}%, это самый быстрый рост за всю историю наблюдений.",
        "Очевидцы рассказали о длинных очередях у избирательных участков в районе {place}.",
        "Оппозиция приветствовала это решение, однако отраслевые ассоциации его раскритиковали.",
        "Аналитики {org} ожидают, что центральный банк сохранит ставку до весны.",
        "Спасатели всю ночь пытались добраться до деревень, отрезанных оползнями.",
        "В заявлении, опубликованном в соцсетях, представители {org} сообщили, что сбой затронул {num} "
        "клиентов.",
        "Матч завершился нулевой ничьей после того, как {person} не реализовал пенальти во втором тайме.",
        "По словам исследователей, результаты могут изменить подход к лечению болезни.",
        "Кто стоит за нападением в районе {place}, пока неизвестно.",
    ),
    "ar": (
        "أعلنت الوزارة يوم {weekday} إجلاء {num} شخصا من {place} بعد الفيضانات.",
        "رفضت السلطات في {place} التعليق على التقرير، مشيرة إلى أن التحقيق لا يزال جاريا.",
        "قال {person}، المتحدث باسم {org}، للصحفيين إن المحادثات ستستأنف الأسبوع المقبل.",
        "ارتفعت الأسعار بنسبة {num} في المئة على أساس سنوي، وهي أسرع وتيرة منذ بدء التسجيل.",
        "وصف شهود عيان طوابير طويلة أمام مراكز الاقتراع في {place}.",
        "رحبت المعارضة بالقرار، بينما انتقدته اتحادات الصناعة.",
        "يتوقع محللون في {org} أن يبقي البنك المركزي على أسعار الفائدة دون تغيير حتى الربيع.",
        "عملت فرق الإنقاذ طوال الليل للوصول إلى القرى المعزولة قرب {place}.",
        "وقالت {org} في بيان نشرته على الإنترنت إن العطل أثر على {num} عميل.",
        "انتهت المباراة بالتعادل السلبي بعد أن أضاع {person} ركلة جزاء في الشوط الثاني.",
        "يقول الباحثون إن النتائج قد تغير طريقة علاج المرض في المستشفيات.",
        "لم يتضح بعد من يقف وراء الهجوم في {place}.",
    ),
    "ja": (
        "{org}は{weekday}、洪水のため{place}から{num}人が避難したと発表した。",
        "{place}の当局は、捜査が続いているとして報告書へのコメントを控えた。",
        "{org}の報道官を務める{person}氏は記者団に対し、協議は来週再開されると述べた。",
        "物価は前年比{num}%上昇し、統計開始以来最も速いペースとなった。",
        "目撃者によると、{place}の投票所の前には長い列ができていた。",
        "野党はこの決定を歓迎したが、業界団体は批判した。",
        "{org}のアナリストは、中央銀行が春まで金利を据え置くと予想している。",
        "救助隊は夜を徹して、土砂崩れで孤立した{place}の集落への到達を目指した。",
        "{org}はネット上で発表した声明で、障害が{num}人の利用者に影響したと明らかにした。",
        "試合は、後半に{person}選手がPKを外し、スコアレスドローに終わった。",
        "研究者らは、今回の成果が病院での治療法を変える可能性があるとしている。",
        "{place}での攻撃の背後に誰がいるのかは、まだ明らかになっていない。",
    ),
}

HASHTAGS: dict[str, tuple[str, ...]] = {
    "en": ("Breaking", "Election2020", "Floods", "COP28", "Budget2019", "WorldCup"),
    "pt": ("Eleições2022", "Urgente", "Enchentes", "Copa2014", "Economia", "PlantãoNorte"),
    "es": ("ÚltimaHora", "Elecciones", "Inundaciones", "Presupuestos", "LaLiga", "Sequía"),
    "fr": ("Direct", "Présidentielle2017", "Inondations", "GiletsJaunes", "Ligue1", "Budget"),
    "de": ("Eilmeldung", "Bundestagswahl", "Hochwasser", "Bundesliga", "Haushalt", "Klimastreik"),
    "ru": ("Срочно", "Выборы2018", "Наводнение", "ЧМ2018", "Экономика", "Новости"),
    "ar": ("عاجل", "الانتخابات", "فيضانات", "كأس_العالم", "الاقتصاد", "أخبار"),
    "ja": ("速報", "地震", "選挙", "東京2020", "台風", "経済"),
}

#: "Follow us on Twitter: @handle" (a prose @handle that is not a tweet).
FOLLOW_US: dict[str, str] = {
    "en": "Follow us on Twitter: @{h}",
    "pt": "Siga-nos no Twitter: @{h}",
    "es": "Síguenos en Twitter: @{h}",
    "fr": "Suivez-nous sur Twitter : @{h}",
    "de": "Folgen Sie uns auf Twitter: @{h}",
    "ru": "Подписывайтесь на нас в Twitter: @{h}",
    "ar": "تابعونا على تويتر: @{h}",
    "ja": "ツイッターで@{h}をフォロー",
}

READ_MORE: dict[str, str] = {
    "en": "Read more:", "pt": "Leia mais:", "es": "Lee también:", "fr": "Lire aussi :",
    "de": "Mehr dazu:", "ru": "Читайте также:", "ar": "اقرأ أيضا:", "ja": "関連記事:",
}

#: "{person} wrote on Twitter" (the anchor of a plain status link in prose).
SAID_ON_TWITTER: dict[str, str] = {
    "en": "wrote on Twitter", "pt": "escreveu no Twitter", "es": "escribió en Twitter",
    "fr": "a écrit sur Twitter", "de": "schrieb auf Twitter", "ru": "написал в Twitter",
    "ar": "كتب على تويتر", "ja": "がツイッターに投稿した",
}

LINK_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("the full statement", "the report", "the ministry's website", "a video", "the data"),
    "pt": ("a nota completa", "o relatório", "o site do ministério", "um vídeo", "os dados"),
    "es": ("el comunicado completo", "el informe", "la web del ministerio", "un vídeo", "los datos"),
    "fr": ("le communiqué complet", "le rapport", "le site du ministère", "une vidéo", "les données"),
    "de": ("die vollständige Erklärung", "den Bericht", "die Website des Ministeriums", "ein Video",
           "die Daten"),
    "ru": ("полный текст заявления", "доклад", "сайт министерства", "видео", "данные"),
    "ar": ("البيان الكامل", "التقرير", "موقع الوزارة", "فيديو", "البيانات"),
    "ja": ("声明全文", "報告書", "省のウェブサイト", "動画", "データ"),
}

SECTIONS: dict[str, tuple[str, ...]] = {
    "en": ("World", "Politics", "Business", "Tech", "Science", "Sport", "Culture", "Opinion", "Video"),
    "pt": ("Mundo", "Política", "Economia", "Tecnologia", "Ciência", "Esporte", "Cultura", "Opinião",
           "Vídeos"),
    "es": ("Internacional", "Política", "Economía", "Tecnología", "Ciencia", "Deportes", "Cultura",
           "Opinión", "Vídeos"),
    "fr": ("Monde", "Politique", "Économie", "Tech", "Sciences", "Sport", "Culture", "Idées", "Vidéos"),
    "de": ("Ausland", "Politik", "Wirtschaft", "Netzwelt", "Wissen", "Sport", "Kultur", "Meinung",
           "Videos"),
    "ru": ("Мир", "Политика", "Экономика", "Технологии", "Наука", "Спорт", "Культура", "Мнения", "Видео"),
    "ar": ("العالم", "سياسة", "اقتصاد", "تكنولوجيا", "علوم", "رياضة", "ثقافة", "رأي", "فيديو"),
    "ja": ("国際", "政治", "経済", "テクノロジー", "科学", "スポーツ", "文化", "オピニオン", "動画"),
}

#: Display names of tweeting accounts per language (handles are built separately).
ACCOUNT_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Northfield Police", "Metro Weather Desk", "Helen Moss", "Port Ellis Council", "Dr. Priya Raman",
           "City Transit 🚇", "Harbor Fire Dept", "Tom Castell ⚽"),
    "pt": ("Defesa Civil do Vale", "Ana Luíza Prado", "Prefeitura de Porto Claro", "Rui Fontes 🇵🇹",
           "Clima Serra Alta", "Ministério da Saúde do Vale"),
    "es": ("Protección Civil Sur", "Lucía Ferrer", "Ayuntamiento de Riofrío", "Diego Alcántara 🎙️",
           "Meteo Valle Hondo"),
    "fr": ("Préfecture de Beaulac", "Claire Dumas", "Mairie de Montclair", "Météo Loire 🌦️",
           "Étienne Rocher"),
    "de": ("Polizei Talheim", "Katrin Vogel", "Stadt Neustadt", "Wetterdienst Nord", "Jörg Hansen"),
    "ru": ("Минобороны Севера", "МЧС Заречья", "Анна Воронцова", "Мэрия Новоборска", "Игорь Семёнов"),
    "ar": ("وزارة الدفاع", "الدفاع المدني", "ليلى حداد", "بلدية الواحة", "خالد منصور"),
    "ja": ("北浜市役所", "気象情報センター", "佐藤美咲", "消防局 公式", "田中健一"),
}

HANDLE_ROOTS: tuple[str, ...] = (
    "Norte", "Vale", "Capital", "Metro", "Ponte", "Valle", "Rhein", "Neva", "Nilo", "Sakura", "Atlas",
    "Orion", "Faro", "Tribuna", "Voz", "Echo", "Kurier", "Vesti", "Akhbar", "Shimbun", "Harbor", "Loire",
    "Serra", "Porto", "Ellis", "Moss", "Castell", "Fontes", "Ferrer", "Dumas", "Vogel", "Hansen",
)
HANDLE_PREFIXES: tuple[str, ...] = ("", "", "", "the", "real", "news", "info", "dc", "pm", "gov", "mid",
                                    "rt", "el", "la", "o", "dr")
HANDLE_SUFFIXES: tuple[str, ...] = ("", "", "24", "_br", "_es", "News", "Live", "TV", "_en", "Oficial",
                                    "HQ", "_ru", "_jp", "_ar", "1", "_", "Desk", "Info")

#: (language, platform, site name, domain, declared encoding). Platforms: news, wordpress,
#: ghost, substack, medium, amp. Legacy encodings are real-world leftovers: pages in them
#: write what the charset lacks as numeric character references.
SITE_SPECS: tuple[tuple[str, str, str, str, str], ...] = (
    ("en", "news", "The Metro Daily", "metrodaily.com", "utf-8"),
    ("en", "news", "Harbor Chronicle", "harborchronicle.com", "utf-8"),
    ("en", "news", "Northfield Post", "northfieldpost.co.uk", "utf-8"),
    ("en", "wordpress", "Plainsview Notes", "plainsviewnotes.com", "utf-8"),
    ("en", "substack", "Signal & Noise", "signalnoise.substack.com", "utf-8"),
    ("en", "amp", "Capital Wire", "capitalwire.com", "utf-8"),
    ("en", "medium", "Ridge Notes", "medium.com", "utf-8"),
    ("en", "ghost", "The Long Read Weekly", "longreadweekly.ghost.io", "utf-8"),
    ("pt", "news", "Diário do Norte", "diariodonorte.com.br", "utf-8"),
    ("pt", "news", "Folha da Serra", "folhadaserra.com.br", "windows-1252"),
    ("pt", "news", "Jornal Ponte", "jornalponte.pt", "utf-8"),
    ("pt", "wordpress", "Blog do Vale", "blogdovale.com.br", "utf-8"),
    ("pt", "ghost", "Crônicas do Porto", "cronicasdoporto.ghost.io", "utf-8"),
    ("pt", "amp", "Portal Capital", "portalcapital.com.br", "utf-8"),
    ("es", "news", "La Voz del Valle", "lavozdelvalle.es", "utf-8"),
    ("es", "news", "El Faro Austral", "elfaroaustral.cl", "utf-8"),
    ("es", "news", "Diario Atlas", "diarioatlas.mx", "utf-8"),
    ("es", "wordpress", "Tribuna Libre", "tribunalibre.com.ar", "utf-8"),
    ("es", "substack", "Notas de Humo", "notasdehumo.substack.com", "utf-8"),
    ("es", "amp", "Hoy Sur", "hoysur.es", "utf-8"),
    ("fr", "news", "Le Courrier Alpin", "lecourrieralpin.fr", "utf-8"),
    ("fr", "news", "La Gazette du Rhône", "gazettedurhone.fr", "utf-8"),
    ("fr", "news", "L'Écho de Liège", "echodeliege.be", "iso-8859-1"),
    ("fr", "wordpress", "Carnets Verts", "carnetsverts.fr", "utf-8"),
    ("fr", "ghost", "Lettres du Lundi", "lettresdulundi.ghost.io", "utf-8"),
    ("fr", "amp", "Matin Express", "matinexpress.fr", "utf-8"),
    ("de", "news", "Rhein-Kurier", "rhein-kurier.de", "utf-8"),
    ("de", "news", "Alpenbote", "alpenbote.at", "utf-8"),
    ("de", "news", "Hansa Zeitung", "hansa-zeitung.de", "utf-8"),
    ("de", "wordpress", "Netzblog", "netzblog.de", "utf-8"),
    ("de", "substack", "Datenbrief", "datenbrief.substack.com", "utf-8"),
    ("de", "amp", "Tagesecho", "tagesecho.de", "utf-8"),
    ("ru", "news", "Вести Невы", "vesti-neva.ru", "windows-1251"),
    ("ru", "news", "Уральский вестник", "uralvestnik.ru", "utf-8"),
    ("ru", "news", "Сибирь сегодня", "sibir-segodnya.ru", "utf-8"),
    ("ru", "wordpress", "Заметки на полях", "zametki-na-polyah.ru", "utf-8"),
    ("ru", "medium", "Око", "medium.com", "utf-8"),
    ("ru", "amp", "Город 24", "gorod24.ru", "utf-8"),
    ("ar", "news", "أخبار النيل", "akhbar-alnil.com", "utf-8"),
    ("ar", "news", "صوت الخليج", "sawt-alkhalij.com", "utf-8"),
    ("ar", "news", "الشرق اليوم", "alsharq-alyoum.com", "utf-8"),
    ("ar", "wordpress", "مدونة الواحة", "mudawwana-alwaha.com", "utf-8"),
    ("ar", "ghost", "نشرة الأحد", "nashrat-alahad.ghost.io", "utf-8"),
    ("ar", "amp", "الخبر الآن", "alkhabar-alaan.com", "utf-8"),
    ("ja", "news", "さくら新聞", "sakura-shimbun.jp", "utf-8"),
    ("ja", "news", "北海タイムス", "hokkai-times.jp", "euc-jp"),
    ("ja", "news", "関西ニュース", "kansai-news.jp", "shift_jis"),
    ("ja", "wordpress", "テック日記", "tech-nikki.jp", "utf-8"),
    ("ja", "medium", "ことのは", "medium.com", "utf-8"),
    ("ja", "amp", "速報ジャパン", "sokuho-japan.jp", "utf-8"),
)

#: Weight of each article language in the corpus.
LANG_WEIGHTS: dict[str, float] = {
    "en": 0.28, "pt": 0.15, "es": 0.14, "fr": 0.11, "de": 0.10, "ru": 0.09, "ar": 0.07, "ja": 0.06,
}

#: Weight of a site of each platform among the sites of one language.
PLATFORM_WEIGHTS: dict[str, float] = {
    "news": 1.0, "wordpress": 0.7, "amp": 0.5, "ghost": 0.35, "substack": 0.35, "medium": 0.3,
}

#: Origin sites linked in prose (kind `other`): invented hosts, plus a few government-style ones.
ORIGIN_HOSTS: tuple[str, ...] = (
    "www.transport.gov.example", "data.civic-institute.org", "www.northfieldpower.com",
    "en.wikipedia.org", "www.youtube.com", "www.instagram.com", "www.facebook.com", "github.com",
    "www.ine.es", "www.ibge.gov.br", "www.insee.fr", "www.destatis.de", "www.cbr.ru", "www.stat.go.jp",
)

#: Shortener hosts and how their codes look: (host, code alphabet, code length range, path prefix).
#: The generic ones (bit.ly, ow.ly, ...) are what social-media tools emit; the branded ones
#: (nyti.ms, reut.rs, ...) are newsroom shorteners that a scanner's list may not know.
SHORTENERS: tuple[tuple[str, str, tuple[int, int], str], ...] = (
    ("bit.ly", "b62", (7, 7), ""),
    ("ow.ly", "b62", (5, 11), ""),
    ("buff.ly", "b62", (7, 7), ""),
    ("trib.al", "b62", (7, 7), ""),
    ("goo.gl", "b62", (6, 6), ""),
    ("tinyurl.com", "lower", (8, 8), ""),
    ("dlvr.it", "b62", (6, 6), ""),
    ("fb.me", "b62", (7, 9), ""),
    ("lnkd.in", "b62", (7, 7), ""),
    ("is.gd", "b62", (6, 6), ""),
    ("j.mp", "b62", (7, 7), ""),
    ("ift.tt", "b62", (7, 7), ""),
    ("wp.me", "b62", (6, 8), "p"),
    ("t.co", "b62", (10, 10), ""),
    ("nyti.ms", "b62", (7, 7), ""),
    ("reut.rs", "b62", (7, 7), ""),
    ("bbc.in", "b62", (7, 7), ""),
    ("glo.bo", "b62", (7, 7), ""),
)
#: Relative weight of each shortener above when a prose short link is drawn.
SHORTENER_WEIGHTS: tuple[float, ...] = (10, 4, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1)
