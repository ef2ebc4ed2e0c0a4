"""What the demo's people say: templates per language, the names they go by, hostile strings.

Templates use ``str.format`` slots (``{feature}``, ``{platform}``…) filled from
the per-language ``SLOTS`` pools, so a few hundred hand-written lines give
thousands of distinct comments. Everything here is written for this project;
nothing is sampled from real people.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "es", "de")

# What a comment is about; the generator picks one per top-level comment.
KINDS = (
    "question",
    "bug",
    "complaint",
    "praise",
    "purchase",
    "feature",
    "spam",
    "crisis",
    "chatter",
)

SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "feature": (
            "sync",
            "the calendar view",
            "recurring events",
            "the home screen widget",
            "offline mode",
            "tags",
            "templates",
            "the web clipper",
            "dark mode",
            "reminders",
            "shared notebooks",
            "search",
        ),
        "platform": (
            "iOS",
            "Android",
            "the web app",
            "my iPad",
            "my Pixel 8",
            "my Galaxy S23",
            "my iPhone 15",
            "Chrome",
            "Firefox",
        ),
        "format": ("Markdown", "PDF", "Evernote", "a .zip", "plain text", "CSV"),
        "competitor": (
            "Notion",
            "Evernote",
            "Google Keep",
            "Apple Notes",
            "Obsidian",
            "Fantastical",
        ),
        "price": ("$59/year", "$6 a month", "$7.99/mo"),
    },
    "fr": {
        "feature": (
            "la synchro",
            "la vue calendrier",
            "les événements récurrents",
            "le widget",
            "le mode hors ligne",
            "les tags",
            "les modèles",
            "les rappels",
            "le mode sombre",
            "les carnets partagés",
            "la recherche",
        ),
        "platform": (
            "iOS",
            "Android",
            "la version web",
            "mon iPad",
            "mon Pixel",
            "mon Samsung",
            "mon iPhone",
            "Firefox",
        ),
        "format": ("Markdown", "PDF", "Evernote", "zip", "texte brut"),
        "competitor": ("Notion", "Evernote", "Google Keep", "Apple Notes", "Obsidian"),
        "price": ("49 €/an", "5,99 € par mois", "59 € l'année"),
    },
    "es": {
        "feature": (
            "la sincronización",
            "la vista de calendario",
            "el widget",
            "el modo sin conexión",
            "la búsqueda",
            "el modo oscuro",
        ),
        "platform": (
            "iOS",
            "Android",
            "la versión web",
            "mi iPad",
            "mi Xiaomi",
            "mi Galaxy A54",
            "mi iPhone",
        ),
        "format": ("Markdown", "PDF", "Evernote", "texto plano"),
        "competitor": ("Notion", "Evernote", "Google Keep", "Apple Notas"),
        "price": ("49 €/año", "5,99 € al mes", "$59 al año"),
    },
    "de": {
        "feature": (
            "der Sync",
            "die Kalenderansicht",
            "das Widget",
            "der Offline-Modus",
            "die Suche",
            "die Erinnerungsfunktion",
            "der Dark Mode",
        ),
        "platform": (
            "iOS",
            "Android",
            "der Web-App",
            "meinem iPad",
            "meinem Pixel",
            "meinem Galaxy S23",
            "meinem iPhone",
        ),
        "format": ("Markdown", "PDF", "Evernote", "Klartext"),
        "competitor": ("Notion", "Evernote", "Google Keep", "Obsidian"),
        "price": ("49 €/Jahr", "5,99 € im Monat"),
    },
}
# Language-neutral slot pools, shared by every language.
COMMON_SLOTS: dict[str, tuple[str, ...]] = {
    "version": ("4.2", "4.2.1", "4.1.3", "4.3 beta", "4.2.0"),
    "integration": (
        "Google Calendar",
        "Outlook",
        "Notion",
        "Obsidian",
        "iCloud",
        "Todoist",
        "Zapier",
        "Slack",
    ),
    "n": ("3", "5", "6", "8", "12", "20", "40"),
    "link": (
        "https://bit.ly/3xFr33C0in",
        "https://t.me/moonsignals_vip",
        "http://free-airdrop.click/lumo",
        "https://cheap-followers.top/?ref=lumo",
        "https://lumo-pro-free.xyz/claim",
    ),
}

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "question": (
            "how do I export my notes to {format}? can't find it anywhere",
            "Is there a way to share a notebook with someone who doesn't have Lumo?",
            "quick q: can I use {feature} offline on {platform}?",
            "Can I sync Lumo with {integration}? Would be a game changer",
            "where did the setting for {feature} go after {version}?? 🤔",
            "Does Lumo Pro include {feature} or is that free too?",
            "Hey! is there a student discount for Lumo Pro?",
            "How do I move a note between notebooks on {platform}? drag and drop doesn't do anything",
            "is there any way to get deleted notes back?? accidentally wiped a whole notebook 😭",
            "Does the web app have keyboard shortcuts? like cmd+k or something",
            "can you have two calendars side by side or is it one at a time",
        ),
        "bug": (
            "sync broken since the update. notes from my phone don't show up on {platform} at all",
            "App crashes on launch on {platform} after updating to {version}. already reinstalled, same thing",
            "reminders fired 3 times this morning lol. {version} on {platform}",
            "the widget is just blank since yesterday?? anyone else?",
            "getting 'Something went wrong (code 503)' when I log in on the web app",
            "calendar events show up an hour off since the DST change. not great when you have meetings",
            "my notes duplicated themselves?? every note is there twice after sync",
            "is Lumo down? nothing loads on web or mobile",
            "{feature} stopped working on {platform} with {version}, had to downgrade",
            "search doesnt find anything older than a month anymore. bug or feature? 🙃",
        ),
        "complaint": (
            "the new redesign is a step backwards. why hide {feature} behind 3 taps??",
            "paid for Pro and still get nagged to upgrade. come on.",
            "support hasn't answered my ticket in 6 days. six. days.",
            "not a fan of the price increase tbh. {price} is a lot for a notes app",
            "why does the android app feel so much slower than iOS? been like this for months",
            "removing {feature} from the free plan is a really bad look",
            "third time this month sync ate my edits. not ok",
        ),
        "praise": (
            "not bad at all! switched from {competitor} last week and not looking back",
            "nothing beats Lumo's {feature}, thank you!!",
            "ok the new calendar view slaps 🔥",
            "shoutout to the Lumo team, support fixed my sync issue in 10 min 🙏",
            "been using Lumo every day for 2 years, best money I spend each year",
            "the {version} update made {feature} on {platform} so smooth, whoever worked on it: thank you",
        ),
        "purchase": (
            "is Pro worth it for a team of {n}? mostly need shared notebooks",
            "Thinking about Lumo Pro. does the annual plan come with a trial?",
            "do you do invoices with VAT for Pro? need it for my company",
            "can I pay for Pro for my whole team on one invoice? we're {n} people",
            "what's the difference between Pro and free again? the pricing page confuses me",
            "would switch my team of {n} from {competitor} if Pro had SSO. does it?",
        ),
        "feature": (
            "please add {integration} integration, I'd pay for Pro just for that",
            "feature request: default reminder times per notebook",
            "would love an Apple Watch app 🙏",
            "any plans for end-to-end encryption?",
            "pls give us a proper Linux desktop app",
            "let me pin notes to the calendar view, that's all I want for christmas",
        ),
        "spam": (
            "🚀🚀 Turn $100 into $5,000 in a week!! DM me for the signal group → {link}",
            "follow for follow? 💯 I follow back instantly",
            "Nice post! Check my profile for a free crypto airdrop 🎁 {link}",
            "Earn $300/day from home, no experience needed!!! {link}",
            "get 10k followers in 24h 👉 {link}",
            "Lumo Pro FREE forever, limited offer: {link}",
        ),
        "crisis": (
            "Is it true Lumo leaked user data? Seeing screenshots of a database dump going around 😳",
            "You charged me 3 times and won't refund. I'll see you in court.",
            "Deleting my account. Everyone should boycott Lumo until they explain what happened to our data. #BoycottLumo",
            "My whole notebook of client notes is GONE after the sync bug. This is my livelihood. Lawyers are being contacted.",
            "Can Lumo confirm reports of a breach affecting Pro accounts? Asking for a story, deadline 5pm.",
        ),
        "chatter": (
            "lol the little mascot on the new splash screen 😂",
            "anyone else use Lumo for D&D campaign notes?",
            "my whole life is in Lumo at this point",
            "hot take: I'd pay for Lumo just for {feature}",
        ),
    },
    "fr": {
        "question": (
            "c'est possible de synchroniser avec {integration} ?",
            "Bonjour, comment on exporte ses notes en {format} ? Je trouve pas l'option",
            "est-ce que {feature}, ça marche hors ligne sur {platform} ?",
            "Petite question : on peut partager un carnet avec quelqu'un qui n'a pas Lumo ?",
            "Où est passé le réglage pour {feature} depuis la {version} ? 🤔",
            "y a une réduc étudiante sur Lumo Pro ?",
            "Comment je récupère une note supprimée par erreur ? svp c'est urgent 😭",
            "on peut afficher deux agendas côte à côte ou pas ?",
            "Est ce que Lumo Pro inclut {feature} ou c'est déjà dans la version gratuite ?",
        ),
        "bug": (
            "l'appli plante au démarrage depuis la mise à jour {version} 😤",
            "la synchro marche plus depuis ce matin, mes notes du téléphone apparaissent pas sur {platform}",
            "Lumo est en panne ou c'est moi ? rien ne charge",
            "les rappels se déclenchent en double depuis hier, c'est pénible",
            "bug : les événements récurrents disparaissent du calendrier quand je change de semaine",
            "impossible de me connecter sur la version web, erreur 503",
            "le widget reste tout blanc sur {platform} depuis la maj",
            "toutes mes notes sont en double après la synchro ?!",
        ),
        "complaint": (
            "franchement la nouvelle interface c'est pas terrible, on trouve plus rien",
            "j'ai payé Pro et j'ai encore des pubs pour passer à Pro… sérieux ?",
            "ça fait une semaine que le support me répond pas",
            "{price} pour une appli de notes, faut pas abuser",
            "l'appli Android est lente comme pas possible, sur iOS ça va pourtant",
            "retirer {feature} de l'offre gratuite, c'est vraiment pas sympa",
        ),
        "praise": (
            "pas mal du tout la nouvelle version 👏",
            "Franchement {feature} c'est génial, merci l'équipe !",
            "j'ai quitté {competitor} pour Lumo et je regrette pas du tout",
            "merci au support, problème réglé en 10 minutes 🙏",
            "la vue calendrier de la 4.2 est top, enfin !",
            "ça fait deux ans que j'utilise Lumo tous les jours, jamais déçue",
        ),
        "purchase": (
            "Lumo Pro ça vaut le coup pour une équipe de {n} ?",
            "Vous faites des factures avec TVA pour l'abonnement Pro ?",
            "on hésite entre Lumo Pro et {competitor} pour la boîte, des avis ?",
            "il y a un essai gratuit pour Pro ?",
            "si je prends Pro à l'année je peux payer pour {n} personnes d'un coup ?",
        ),
        "feature": (
            "ce serait top d'avoir une intégration {integration} 🙏",
            "suggestion : pouvoir choisir l'heure des rappels par défaut",
            "vivement le chiffrement de bout en bout",
            "une appli Apple Watch svp !!",
        ),
        "spam": (
            "Gagnez 500€ par jour depuis chez vous 💸 {link}",
            "abonne-toi je m'abonne en retour 🔁💯",
            "Lumo Pro GRATUIT à vie, offre limitée 👉 {link}",
        ),
        "crisis": (
            "C'est vrai cette histoire de fuite de données ? Je vois des captures qui tournent partout",
            "Vous m'avez prélevé 3 fois et aucun remboursement. On se verra au tribunal.",
            "Je supprime mon compte. Boycott de Lumo tant qu'ils n'expliquent pas ce qui s'est passé avec nos données #BoycottLumo",
            "J'ai perdu TOUTES mes notes de cours à cause de la synchro. Je vais porter plainte.",
        ),
        "chatter": (
            "qui utilise Lumo pour ses recettes de cuisine ? 😄",
            "mon cerveau externe c'est Lumo, clairement",
            "la petite mascotte au démarrage 😂",
        ),
    },
    "es": {
        "question": (
            "¿Se puede sincronizar Lumo con {integration}?",
            "Hola! ¿Cómo exporto mis notas a {format}? No encuentro la opción",
            "¿Funciona {feature} sin conexión en {platform}?",
            "¿Hay descuento para estudiantes en Lumo Pro?",
            "una pregunta, ¿puedo compartir un cuaderno con alguien que no usa Lumo?",
        ),
        "bug": (
            "la app se cierra sola al abrirla desde la actualización {version}",
            "la sincronización no funciona desde ayer 😩 mis notas del móvil no aparecen en {platform}",
            "¿Lumo está caído? no me carga nada",
            "los recordatorios me llegan dos veces, ¿a alguien más le pasa?",
        ),
        "complaint": (
            "el nuevo diseño no me gusta nada, ahora cuesta encontrar {feature}",
            "llevo 5 días esperando respuesta del soporte 🙄",
            "{price} por una app de notas me parece caro",
        ),
        "praise": (
            "¡Me encanta la nueva vista de calendario! 😍",
            "dejé {competitor} por Lumo y no me arrepiento para nada",
            "gracias al equipo de soporte, súper rápidos 🙌",
            "no está nada mal {feature} en {platform}",
        ),
        "purchase": (
            "¿Vale la pena Lumo Pro para un equipo de {n}?",
            "¿Hay prueba gratis de Pro? quiero probar antes de pagar",
        ),
        "feature": (
            "¿para cuándo la integración con {integration}?",
            "estaría genial poder elegir la hora de los recordatorios",
        ),
        "spam": ("¡Gana dinero fácil con cripto! 💰 {link}", "sígueme y te sigo 🔁"),
        "crisis": (
            "¿Es verdad que Lumo filtró datos de usuarios? 😳",
            "Me cobraron tres veces y nadie responde. Nos vemos en los tribunales.",
        ),
        "chatter": ("uso Lumo para todo, hasta la lista de la compra 😂",),
    },
    "de": {
        "question": (
            "Kann man Lumo mit {integration} synchronisieren?",
            "Wie exportiere ich meine Notizen als {format}? Finde die Option nicht",
            "Funktioniert {feature} auch offline auf {platform}?",
            "Gibt es einen Studentenrabatt für Lumo Pro?",
            "Kurze Frage: kann ich ein Notizbuch mit jemandem teilen, der kein Lumo hat?",
        ),
        "bug": (
            "Seit dem Update auf {version} stürzt die App beim Start ab. Neu installiert, hilft nix",
            "Sync geht seit heute morgen nicht mehr, Notizen vom Handy tauchen auf {platform} nicht auf",
            "Ist Lumo gerade down? Bei mir lädt gar nichts",
            "Erinnerungen kommen doppelt seit gestern, nervig",
        ),
        "complaint": (
            "Das neue Design ist echt ein Rückschritt, {feature} ist jetzt total versteckt",
            "Support antwortet seit einer Woche nicht. Echt enttäuschend",
            "{price} für eine Notiz-App ist schon happig",
        ),
        "praise": (
            "Nicht schlecht! Bin von {competitor} gewechselt und bereue nix",
            "Die neue Kalenderansicht ist richtig gut 👍",
            "Danke an den Support, Problem war in 10 Minuten gelöst",
        ),
        "purchase": (
            "Lohnt sich Lumo Pro für ein Team von {n} Leuten?",
            "Gibt's für Pro Rechnungen mit MwSt.? Brauche das für die Firma",
        ),
        "feature": (
            "Bitte eine Integration mit {integration}! Würde sofort Pro kaufen",
            "Ende-zu-Ende-Verschlüsselung wäre super",
        ),
        "spam": ("Verdiene 500€ am Tag von zuhause aus! {link}",),
        "crisis": (
            "Stimmt es, dass bei Lumo Nutzerdaten geleakt wurden? Ich will sofort eine Antwort.",
            "Ihr habt mir dreimal abgebucht. Mein Anwalt meldet sich.",
        ),
        "chatter": ("Wer nutzt Lumo noch für Rezepte? 😄",),
    },
}

# Replies in a thread, by what they do: agree (same), wish for a feature, suggest a fix, answer
# a question (tip), doubt a bug (disagree) or a complaint (defend), report back (ok/ko), chase
# (bump), thank, take it to DM.
REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "same": (
            "same here",
            "+1, same on {platform}",
            "same thing for me since {version}",
            "yep, happening to me too",
            "glad it's not just me",
        ),
        "wish": ("+1 would love this", "yes please!!", "this would make me upgrade tbh"),
        "curious": (
            "+1, I'd like to know too",
            "following, same question",
            "good question, wondering the same",
        ),
        "fix": (
            "try logging out and back in, fixed it for me",
            "Settings → Sync → Force resync worked for me",
            "clear the app cache, it helped last time",
            "rolling back to the previous version fixed it for me",
        ),
        "tip": (
            "it's in the settings somewhere, took me ages to find too",
            "check the help center, there's a guide for exactly this",
            "I think that's Pro only",
            "yes! works fine for me on {platform}",
            "pretty sure you can, long-press the note → Share",
        ),
        "disagree": (
            "works fine for me on {platform} tbh",
            "have you contacted support?",
            "can't reproduce on {platform}, which version are you on?",
        ),
        "defend": (
            "idk, I actually like the new design",
            "it's still cheaper than {competitor} tbh",
            "support answered me in a day, maybe try again?",
        ),
        "ok": (
            "ok that worked, thanks!!",
            "fixed after the update, thanks",
            "oh nice, didn't know that",
            "all good now",
        ),
        "ko": (
            "tried that, nothing changes",
            "hmm, doesn't work for me :/",
            "not working on {platform} :/",
        ),
        "bump": ("any update on this?", "bump", "still waiting on an answer here"),
        "thanks": ("thanks!", "appreciate the quick answer", "great, thank you"),
        "dm": ("DM sent", "just sent you a DM"),
        "praise": (
            "agreed, I'm obsessed with {feature}",
            "honestly same",
            "this!!",
            "100%, switched my whole team over",
            "same, it just works",
            "can confirm, no complaints about {feature} on {platform} either",
        ),
        "purchase": (
            "we use Pro with 6 people, totally worth it for shared notebooks",
            "there's a 14 day trial, just try it",
        ),
        "crisis": (
            "source?",
            "pretty sure this is FUD, there's nothing on their status page",
            "+1 waiting for an official answer",
        ),
    },
    "fr": {
        "same": (
            "pareil ici",
            "+1, même problème sur {platform}",
            "ah ouf je suis pas le seul",
            "idem depuis la {version}",
        ),
        "wish": ("+1 ce serait top", "oui svp !!", "je passerais à Pro rien que pour ça"),
        "curious": ("+1 je me posais la même question", "je suis aussi preneur de la réponse"),
        "fix": (
            "essaie de te déconnecter/reconnecter, ça a marché pour moi",
            "Réglages → Synchro → Forcer la resynchro, ça règle le souci",
            "vide le cache de l'appli, ça m'avait aidé",
        ),
        "tip": (
            "c'est dans les réglages, j'ai mis du temps à trouver aussi",
            "il me semble que c'est que dans Pro",
            "oui ça marche chez moi sur {platform}",
            "regarde le centre d'aide, il y a un tuto",
        ),
        "disagree": (
            "chez moi ça marche nickel sur {platform}",
            "t'as contacté le support ?",
            "pas de souci de mon côté avec la {version}",
        ),
        "defend": (
            "perso j'aime bien la nouvelle interface",
            "ça reste moins cher que {competitor}",
            "le support m'a répondu en une journée moi",
        ),
        "ok": (
            "ça marche, merci !!",
            "réglé avec la maj",
            "ah top je savais pas",
            "c'est bon pour moi",
        ),
        "ko": ("j'ai essayé, ça change rien", "toujours pas chez moi :/"),
        "bump": ("des nouvelles ?", "up", "toujours pas de réponse…"),
        "thanks": ("merci !", "merci pour la réponse rapide", "top, merci"),
        "dm": ("c'est envoyé en MP", "je vous ai écrit en MP"),
        "praise": (
            "grave, {feature} c'est top",
            "tellement d'accord",
            "pareil, j'ai convaincu toute l'équipe",
            "100% d'accord, ça marche tout seul",
        ),
        "purchase": (
            "on l'utilise à 6 au boulot, ça vaut le coup pour les carnets partagés",
            "il y a 14 jours d'essai, teste",
        ),
        "crisis": (
            "source ?",
            "y a rien sur la page de statut, c'est une rumeur je pense",
            "+1 on attend une réponse officielle",
        ),
    },
    "es": {
        "same": ("a mí también", "+1, igual en {platform}", "menos mal, pensé que era solo yo"),
        "wish": ("+1 sería genial", "¡sí por favor!"),
        "curious": ("+1, yo también quiero saberlo",),
        "fix": (
            "prueba cerrar sesión y volver a entrar, a mí me funcionó",
            "Ajustes → Sincronización → Forzar, así se arregla",
        ),
        "tip": (
            "está en los ajustes, a mí también me costó encontrarlo",
            "creo que eso es solo de Pro",
        ),
        "disagree": ("a mí me funciona bien en {platform}",),
        "defend": ("a mí me gusta el diseño nuevo", "sigue siendo más barato que {competitor}"),
        "ok": ("¡funcionó, gracias!", "ya está arreglado"),
        "ko": ("lo probé y nada", "sigue sin funcionar"),
        "bump": ("¿alguna novedad?", "sigo esperando respuesta"),
        "thanks": ("¡gracias!", "gracias por la respuesta"),
        "dm": ("te escribí por DM",),
        "praise": ("totalmente de acuerdo", "igual, funciona perfecto"),
        "purchase": ("lo usamos 6 personas en el trabajo y vale la pena",),
        "crisis": ("¿fuente?", "+1 esperando respuesta oficial"),
    },
    "de": {
        "same": (
            "Hier genauso",
            "+1, gleiches Problem auf {platform}",
            "Gut zu wissen, dass es nicht nur mir so geht",
        ),
        "wish": ("+1, wäre super", "Ja bitte!!"),
        "curious": ("+1, würde mich auch interessieren",),
        "fix": (
            "Ab- und wieder anmelden hat bei mir geholfen",
            "Einstellungen → Sync → Neu synchronisieren, dann geht's",
        ),
        "tip": (
            "Ist in den Einstellungen, hab auch ewig gesucht",
            "Ich glaube, das gibt's nur mit Pro",
        ),
        "disagree": ("Bei mir läuft alles auf {platform}",),
        "defend": (
            "Ich find das neue Design eigentlich gut",
            "Immer noch günstiger als {competitor}",
        ),
        "ok": ("Hat geklappt, danke!", "Mit dem Update ist es weg"),
        "ko": ("Hab ich probiert, ändert nichts", "Geht immer noch nicht"),
        "bump": ("Gibt's was Neues?", "Warte immer noch auf eine Antwort"),
        "thanks": ("Danke!", "Super, danke für die schnelle Antwort"),
        "dm": ("Hab euch eine DM geschickt",),
        "praise": ("Stimmt, {feature} ist klasse", "Kann ich nur bestätigen"),
        "purchase": ("Wir nutzen Pro zu sechst, lohnt sich",),
        "crisis": ("Quelle?", "+1, warte auch auf eine offizielle Antwort"),
    },
}

# What the brand answers, by the kind of comment it answers; the first of each fits any comment of its kind.
BRAND: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "question": (
            "Hi! Good question: there's a step-by-step guide at lumo.app/help, and we're here if you get stuck!",
            "Great question! We've sent you a DM with the details 💜",
        ),
        "bug": (
            "Thanks for flagging, and sorry! The team is looking into it. Could you DM us your device and app version?",
            "Sorry about that! A fix is rolling out with 4.2.2 today, let us know if it helps.",
        ),
        "complaint": (
            "We hear you, and sorry for the wait. Can you DM us your ticket number? We'll look at it today.",
        ),
        "praise": ("This made our day, thank you! 💜",),
        "purchase": (
            "Hi! Pro for teams is $6/user/month with a 14-day free trial, invoices include VAT. Happy to set up a demo!",
        ),
        "feature": ("Thanks for the suggestion! Passing it on to the product team 🙌",),
        "crisis": (
            "We take this seriously. We have no evidence of a data breach; our security team is reachable at security@lumo.app and we'll post updates here.",
        ),
        "chatter": ("😄 we love hearing how you use Lumo!",),
    },
    "fr": {
        "question": (
            "Bonjour ! Bonne question : le pas-à-pas est sur lumo.app/aide, et on est là si ça bloque !",
            "Bonne question ! On vous a répondu en MP avec les détails 💜",
        ),
        "bug": (
            "Merci du signalement, et désolés ! L'équipe regarde. Vous pouvez nous envoyer votre modèle et la version de l'appli en MP ?",
            "Désolés ! Un correctif arrive aujourd'hui avec la 4.2.2, dites-nous si ça règle le souci.",
        ),
        "complaint": (
            "On vous entend, et désolés pour l'attente. Envoyez-nous votre numéro de ticket en MP, on regarde aujourd'hui.",
        ),
        "praise": ("Merci, ça fait super plaisir ! 💜",),
        "purchase": (
            "Bonjour ! Pro pour les équipes c'est 5,99 €/personne/mois avec 14 jours d'essai, factures avec TVA. On peut vous faire une démo !",
        ),
        "feature": ("Merci pour l'idée ! On transmet à l'équipe produit 🙌",),
        "crisis": (
            "Nous prenons cela très au sérieux. Nous n'avons aucune trace de fuite de données ; notre équipe sécurité répond sur security@lumo.app et nous publierons les mises à jour ici.",
        ),
        "chatter": ("😄 on adore savoir comment vous utilisez Lumo !",),
    },
    "es": {
        "question": (
            "¡Hola! Tienes la guía paso a paso en lumo.app/ayuda. ¡Escríbenos si te atascas!",
        ),
        "bug": (
            "¡Gracias por avisar y perdón! El equipo ya lo está mirando. ¿Nos mandas tu modelo y versión de la app por DM?",
        ),
        "complaint": (
            "Lo sentimos mucho por la espera. Mándanos tu número de ticket por DM y lo vemos hoy.",
        ),
        "praise": ("¡Gracias, nos alegras el día! 💜",),
        "purchase": (
            "¡Hola! Pro para equipos cuesta 5,99 €/persona/mes con 14 días de prueba gratis.",
        ),
        "feature": ("¡Gracias por la idea! Se la pasamos al equipo de producto 🙌",),
        "crisis": (
            "Nos lo tomamos muy en serio. No tenemos indicios de una filtración; escríbenos a security@lumo.app.",
        ),
        "chatter": ("😄 ¡nos encanta!",),
    },
    "de": {
        "question": (
            "Hallo! Eine Schritt-für-Schritt-Anleitung gibt's unter lumo.app/hilfe. Melde dich, falls es hakt!",
        ),
        "bug": (
            "Danke für den Hinweis, und sorry! Das Team schaut es sich an. Schickst du uns Gerät und App-Version per DM?",
        ),
        "complaint": (
            "Tut uns leid für die Wartezeit. Schick uns bitte deine Ticketnummer per DM, wir schauen heute rein.",
        ),
        "praise": ("Danke, das freut uns riesig! 💜",),
        "purchase": ("Hallo! Pro für Teams kostet 5,99 €/Person/Monat, 14 Tage kostenlos testen.",),
        "feature": ("Danke für die Idee! Wir geben sie ans Produktteam weiter 🙌",),
        "crisis": (
            "Wir nehmen das sehr ernst. Es gibt keine Hinweise auf ein Datenleck; unser Security-Team erreicht ihr unter security@lumo.app.",
        ),
        "chatter": ("😄 Lieben wir!",),
    },
}

# Emoji people end on, by mood; ZWJ sequences on purpose (they must survive as one glyph).
EMOJI: dict[str, tuple[str, ...]] = {
    "up": ("🙏", "🔥", "👍", "💜", "✨", "😄", "🙌", "👩‍💻", "🧑‍🤝‍🧑", "👨‍👩‍👧", "🏳️‍🌈"),
    "down": ("😤", "😭", "🙃", "🤦‍♀️", "😩", "😕", "🤦‍♂️"),
    "neutral": ("🤔", "🙏", "😅", "👀"),
}
SIGN_OFFS: dict[str, tuple[str, ...]] = {
    "en": (" thx", " pls help", " lol", " 😅", " …", " !!"),
    "fr": (" merci", " svp", " mdr", " 😅", " …", " !!"),
    "es": (" gracias", " porfa", " jaja"),
    "de": (" danke", " bitte", " lol"),
}

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Emma",
        "Liam",
        "Olivia",
        "Noah",
        "Ava",
        "Ethan",
        "Mia",
        "Lucas",
        "Chloe",
        "Jack",
        "Zoe",
        "Ryan",
        "Grace",
        "Owen",
        "Maya",
        "Dylan",
        "Ruby",
        "Aiden",
        "Nora",
        "Caleb",
    ),
    "fr": (
        "Léa",
        "Hugo",
        "Manon",
        "Louis",
        "Anaïs",
        "Théo",
        "Inès",
        "Nathan",
        "Camille",
        "Enzo",
        "Sarah",
        "Mathis",
        "Jade",
        "Maël",
        "Élise",
        "Yanis",
        "Clément",
        "Océane",
        "Rémi",
        "Lucie",
    ),
    "es": (
        "Lucía",
        "Mateo",
        "Sofía",
        "Diego",
        "Valeria",
        "Pablo",
        "Martina",
        "Javier",
        "Carmen",
        "Álvaro",
        "Paula",
        "Sergio",
        "Elena",
        "Andrés",
    ),
    "de": (
        "Lena",
        "Jonas",
        "Hannah",
        "Leon",
        "Emilia",
        "Felix",
        "Laura",
        "Lukas",
        "Sophie",
        "Tim",
        "Jana",
        "Niklas",
        "Katrin",
        "Moritz",
    ),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Davies",
        "Clarke",
        "Walker",
        "Hughes",
        "Patel",
        "Bennett",
        "Okafor",
        "Murphy",
        "Reid",
    ),
    "fr": (
        "Martin",
        "Bernard",
        "Dubois",
        "Lefèvre",
        "Moreau",
        "Laurent",
        "Girard",
        "Roux",
        "Fournier",
        "Mercier",
        "Benali",
        "Nguyen",
        "Faure",
        "Chevalier",
    ),
    "es": (
        "García",
        "Fernández",
        "López",
        "Martínez",
        "Sánchez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Castillo",
    ),
    "de": (
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Wagner",
    ),
}
SPAM_WORDS = (
    "crypto_queen",
    "moon_signals",
    "follow4follow",
    "airdrop_daily",
    "cashflow_king",
    "growth_hacker",
)
FEDIVERSE_INSTANCES: dict[str, tuple[str, ...]] = {
    "en": (
        "mastodon.social",
        "fosstodon.org",
        "hachyderm.io",
        "mas.to",
        "mastodon.online",
        "techhub.social",
    ),
    "fr": ("piaille.fr", "mamot.fr", "framapiaf.org", "mastodon.social", "eldritch.cafe"),
    "es": ("mastodon.social", "masto.es", "mastodon.uy"),
    "de": ("chaos.social", "social.tchncs.de", "norden.social", "mastodon.social"),
}

# Recurring people: one person, several networks, one display name.
# (display name, languages, followers, {network: handle})
PERSONAS: tuple[tuple[str, tuple[str, ...], int, dict[str, str]], ...] = (
    (
        "Camille Roussel",
        ("fr", "en"),
        1240,
        {
            "mastodon": "camille_dev@mastodon.social",
            "bluesky": "camille-dev.bsky.social",
            "discourse": "camille_dev",
        },
    ),
    (
        "Marie Lefèvre",
        ("fr",),
        182_400,
        {"youtube": "@techwithmarie", "bluesky": "techwithmarie.com"},
    ),
    (
        "Nadia Benali",
        ("en", "fr"),
        71_900,
        {"bluesky": "nadia.codes", "mastodon": "nadia@hachyderm.io"},
    ),
    (
        "Hannah Wright",
        ("en",),
        58_200,
        {"bluesky": "hannahwrites.bsky.social", "mastodon": "hwright@journa.host"},
    ),
    (
        "Jonas Brandt",
        ("de",),
        430,
        {"mastodon": "jonas@chaos.social", "discourse": "jonas.brandt", "reddit": "jbrandt_dev"},
    ),
    ("Lucía Benítez", ("es",), 2150, {"youtube": "@luciaorganiza", "reddit": "luciabenitez_"}),
    (
        "Priya Raman",
        ("en",),
        880,
        {"reddit": "priya_builds", "bluesky": "priya.bsky.social", "discourse": "priya"},
    ),
    (
        "Élodie Martin",
        ("fr",),
        96,
        {"mastodon": "elodie@piaille.fr", "discourse": "elodie.m", "youtube": "@elodiemartin-prof"},
    ),
    (
        "Sam Okafor",
        ("en",),
        310,
        {"discourse": "sam_o", "mastodon": "samo@fosstodon.org", "reddit": "sam_okafor"},
    ),
    (
        "Diego Ramírez",
        ("es",),
        12_600,
        {"youtube": "@diegotech", "bluesky": "diegotech.bsky.social"},
    ),
    (
        "Anna Schmidt",
        ("de",),
        205,
        {"discourse": "anna.schmidt", "mastodon": "anna_s@social.tchncs.de"},
    ),
    ("Tom Hughes", ("en",), 42, {"reddit": "angry_tom_h", "youtube": "@tomhughes1987"}),
)

# Comments every demo has, whatever the seed: the scenes a community manager should meet first.
# (account, language, kind, persona or None, text)
FEATURED: tuple[tuple[str, str, str, str | None, str], ...] = (
    (
        "lumo_fr@piaille.fr",
        "fr",
        "question",
        "Camille Roussel",
        "c'est possible de synchroniser avec Google Agenda ? 🙏",
    ),
    (
        "lumo.app",
        "en",
        "bug",
        "Camille Roussel",
        "sync broken since the update. notes from my phone don't show up on the web app at all 😩",
    ),
    (
        "u/LumoOfficial",
        "en",
        "purchase",
        "Priya Raman",
        "is Pro worth it for a team of 5? mostly need shared notebooks",
    ),
    (
        "forum.lumo.app",
        "en",
        "question",
        "Sam Okafor",
        "how do I export my notes to Markdown? can't find it anywhere",
    ),
    (
        "lumo_fr@piaille.fr",
        "fr",
        "bug",
        "Élodie Martin",
        "l'appli plante au démarrage depuis la mise à jour 4.2 😤",
    ),
    (
        "lumo_fr@piaille.fr",
        "fr",
        "complaint",
        None,
        "franchement la nouvelle interface c'est pas terrible, on trouve plus rien",
    ),
    (
        "lumo.app",
        "en",
        "praise",
        "Nadia Benali",
        "not bad at all! switched from Notion last week and not looking back ✨",
    ),
    (
        "Lumo",
        "fr",
        "praise",
        "Marie Lefèvre",
        "pas mal du tout la nouvelle version 👏 vidéo complète dessus la semaine prochaine",
    ),
    ("lumo@mastodon.social", "en", "spam", None, "follow for follow? 💯 I follow back instantly"),
    (
        "u/LumoOfficial",
        "en",
        "crisis",
        None,
        "Is it true Lumo leaked user data? Seeing screenshots of a database dump going around 😳",
    ),
    (
        "lumo@mastodon.social",
        "en",
        "crisis",
        None,
        "You charged me 3 times and won't refund. I'll see you in court.",
    ),
    (
        "Lumo",
        "fr",
        "crisis",
        None,
        "Je supprime mon compte. Boycott de Lumo tant qu'ils n'expliquent pas ce qui s'est passé avec nos données #BoycottLumo",
    ),
    (
        "lumo.app",
        "en",
        "crisis",
        "Hannah Wright",
        "Can Lumo confirm reports of a breach affecting Pro accounts? Asking for a story, deadline 5pm.",
    ),
)

# Strings the app must show as typed, never interpret: markup, escapes, bidi, ZWJ, huge lines.
# (network, language, text, html-or-None); a None text means the record carries only html.
LONG_PREFIX = "Sync keeps failing, here is the log line from adb: "
LONG_LINE = (
    "E/LumoSync(4211): SyncWorker failed: java.net.SocketTimeoutException: timeout "
    "at okhttp3.internal.http2.Http2Stream$StreamTimeout.newTimeoutException | "
)
HOSTILE: tuple[tuple[str, str, str | None, str | None], ...] = (
    (
        "mastodon",
        "en",
        "is this a bug? naming a notebook [@click=app.quit]boom[/] closes the app on my laptop 😅",
        None,
    ),
    (
        "reddit",
        "en",
        "PSA: if you paste [bold red]x into the search bar the results turn red lol",
        None,
    ),
    ("bluesky", "en", "tag soup test [/foo] the web app ate my closing tag", None),
    (
        "youtube",
        "en",
        "copied this from my terminal: \x1b[2J\x1b[31mERROR sync failed\x1b[0m any idea?",
        None,
    ),
    ("discourse", "fr", "mon export s'appelle « notes\u202etxt.exe » c'est normal ??", None),
    (
        "bluesky",
        "en",
        "👩‍💻👨‍👩‍👧🏳️‍🌈 Lumo is now the family planner for the whole crew 🧑‍🤝‍🧑",
        None,
    ),
    ("discourse", "en", LONG_PREFIX + (LONG_LINE * 80)[: 10_000 - len(LONG_PREFIX)], None),
    (
        "discourse",
        "en",
        None,
        "<p>Trying to embed a widget in a note:</p><script>alert(1)</script><p>nothing happens?</p>",
    ),
    (
        "discourse",
        "en",
        "Typing <script>alert(1)</script> in a note shows it as text, good job 👍",
        "<p>Typing <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> in a note shows it as text, good job 👍</p>",
    ),
)
