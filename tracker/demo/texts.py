"""The words of the synthetic follow-up: titles, descriptions, sources and reasons to draw from."""

ACTION_TITLES = [
    "National migration policy adopted",
    "Consular protection network extended",
    "Regularisation programme opened",
    "Training for border officials on migrants' human rights",
    "Bilateral agreement on labour migration signed",
    "Law against trafficking in persons amended",
    "Statistics office publishes migration survey",
    "Access to health care for migrants regardless of status",
    "Inter-agency round table on return and reintegration",
    "Information campaign on safe migration",
    "Remittance costs lowered through the central bank",
    "Child migrants' protection protocol issued",
    "Diaspora liaison office opened",
    "Schools enrol migrant children without documents",
    "Report submitted to the Special Committee on Migration Issues",
    "Shelters for migrant women opened",
    "Recognition of foreign qualifications simplified",
    "Data-sharing arrangement with the OAS migration observatory",
    "Guidelines on detention alternatives published",
    "Civil society consulted on the national plan",
]
LIST_ITEMS = [
    "a budget line for the coming year",
    "an inter-ministerial committee that meets each quarter",
    "training for 300 officials",
    "a hotline in Spanish, English, French and Portuguese",
    "figures broken down by sex and age",
    "a review after two years",
    "a register of recruitment agencies",
    "cooperation with the International Organization for Migration",
    "outreach through consulates abroad",
    "a complaints procedure open to migrants without documents",
]
SOURCES = [
    "National report to the Special Committee on Migration Issues",
    "Liaison of {actor}",
    "Official gazette of {actor}",
    "Press release of the ministry responsible",
    "OAS General Secretariat, Department of Social Inclusion",
    "Continuous Reporting System on International Migration in the Americas (SICREMI)",
    "Statement at the Permanent Council",
]
REASONS = [
    "Assessed on the basis of the national report of {year}.",
    "Measures reported by the liaison of {actor}, confirmed by the secretariat.",
    "Legislation adopted but not yet in force.",
    "No information received since the previous assessment.",
    "Programme in place in part of the territory only.",
    "Implementation confirmed by an independent evaluation.",
    "Reassessed after the {year} session of the Special Committee.",
    "The recommendation does not concern {actor}'s situation.",
]
WITHDRAWAL_REASONS = [
    "Reported twice; the other entry is kept.",
    "The measure was announced but never adopted.",
    "Entered for the wrong state by mistake.",
]
