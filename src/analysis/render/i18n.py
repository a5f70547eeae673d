"""Prose of the findings report in Norwegian bokmål (``nb``, the default) and English (``en``).

Every sentence of the report comes from :data:`TEXTS` through :func:`t`, with the numbers filled
in by the report sections (``analysis.questionnaire.sections``); labels of items come from the codebook.
Both languages must define every key with the same placeholders (a test checks this).

Examples
--------
>>> t("ci", "nb", low="43", high="53")
'95\u00a0% KI 43–53'
>>> t("ci", "en", low="43", high="53")
'95% CI 43–53'
>>> category_label("kommersiell", "en", plural=True)
'Commercial landlords'
>>> size_label("20 000+", "nb")
'20 000 innbyggere og flere'
"""

from __future__ import annotations

import string

TEXTS: dict[str, dict[str, str]] = {
    # --- page furniture ----------------------------------------------------------------------
    "report_title": {
        "nb": "Medvirkning hos utleiere: funn fra {wave}",
        "en": "Tenant participation among landlords: findings from {wave}",
    },
    "lead": {
        "nb": "Kartlegging av kompetanse innen leieboermedvirkning blant kommunale, ideelle og "
        "kommersielle utleiere, gjennomført av Leieboerforeningen og VID vitenskapelige "
        "høgskole. Rapporten bygger på {n} svar.",
        "en": "A survey of competence in tenant participation among municipal, non-profit and "
        "commercial landlords, carried out by the Norwegian Tenants' Association "
        "(Leieboerforeningen) and VID Specialized University. The report is based on {n} responses.",
    },
    "synthetic_note": {
        "nb": "Merk: dataene i denne rapporten er syntetiske demodata, ikke ekte svar.",
        "en": "Note: the data in this report are synthetic demo data, not real responses.",
    },
    "toc": {"nb": "Innhold", "en": "Contents"},
    "skip_to_content": {"nb": "Hopp til innholdet", "en": "Skip to content"},
    "generated": {"nb": "Generert", "en": "Generated"},
    "internal_banner": {
        "nb": "INTERN RAPPORT – ikke for publisering: små grupper er ikke skjult.",
        "en": "INTERNAL REPORT – not for publication: small groups are not suppressed.",
    },
    # --- numbers --------------------------------------------------------------------------------
    "ci": {"nb": "95\u00a0% KI {low}–{high}", "en": "95% CI {low}–{high}"},
    "ci_signed": {"nb": "95\u00a0% KI {low} til {high}", "en": "95% CI {low} to {high}"},
    "percent": {"nb": "{x} %", "en": "{x}%"},
    "ci_column": {"nb": "95\u00a0% KI", "en": "95% CI"},
    "range": {"nb": "{low}–{high}", "en": "{low}–{high}"},
    "range_signed": {"nb": "{low} til {high}", "en": "{low} to {high}"},
    "not_stated": {"nb": "ikke oppgitt", "en": "not stated"},
    "unknown": {"nb": "ukjent", "en": "unknown"},
    "all": {"nb": "Alle", "en": "All"},
    # --- key findings ----------------------------------------------------------------------------
    "h_key_findings": {"nb": "Hovedfunn", "en": "Key findings"},
    "key_intro": {
        "nb": "Tallene er gjennomsnitt eller andeler med 95\u00a0% konfidensintervall (KI) i parentes.",
        "en": "Figures are means or shares with 95% confidence intervals (CI) in brackets.",
    },
    "kf_competence_diff": {
        "nb": "{low_cat} oppgir lavere kompetanse i medvirkning enn {high_cat_lc}: {low} ({low_ci}) mot "
        "{high} ({high_ci}) på en skala fra 0 til 100.",
        "en": "{low_cat} report lower competence in tenant participation than {high_cat_lc}: {low} "
        "({low_ci}) against {high} ({high_ci}) on a scale from 0 to 100.",
    },
    "kf_competence_nodiff": {
        "nb": "Kompetansen i medvirkning er om lag den samme i alle utleierkategorier: fra {low} "
        "({low_ci}) for {low_cat_lc} til {high} ({high_ci}) for {high_cat_lc} på en skala fra 0 "
        "til 100; forskjellen er ikke sikker.",
        "en": "Competence in tenant participation is about the same in every landlord category: from "
        "{low} ({low_ci}) for {low_cat_lc} to {high} ({high_ci}) for {high_cat_lc} on a scale "
        "from 0 to 100; the difference is not certain.",
    },
    "kf_participation": {
        "nb": "{share} av utleierne ({ci}) lar beboerne påvirke eller ta beslutninger på minst ett område "
        "(nivå 3 eller høyere på medvirkningsstigen).",
        "en": "{share} of landlords ({ci}) let tenants influence or take decisions in at least one area "
        "(level 3 or higher on the participation ladder).",
    },
    "kf_resources": {
        "nb": "Utleierne har i snitt {mean} av 5 forutsetninger for medvirkning ({ci}). Minst vanlig er "
        "{item}: {share} ({item_ci}).",
        "en": "Landlords have on average {mean} of 5 prerequisites for participation ({ci}). The least "
        "common is {item}: {share} ({item_ci}).",
    },
    "kf_barrier": {
        "nb": "Den hindringen flest nevner, er «{item}»: {share} ({ci}).",
        "en": "The barrier named most often is “{item}”: {share} ({ci}).",
    },
    "kf_theme": {
        "nb": "Det seminartemaet flest ønsker, er «{item}»: {share} ({ci}). {top_important}",
        "en": "The seminar theme most wanted is “{item}”: {share} ({ci}). {top_important}",
    },
    "kf_theme_important": {
        "nb": "Flest peker på «{item}» som det viktigste temaet ({share}, {ci}).",
        "en": "Most often “{item}” is named the most important theme ({share}, {ci}).",
    },
    "kf_change_up": {
        "nb": "Kompetansen har økt siden {prev}: fra {before} ({before_ci}) til {after} ({after_ci}), en "
        "endring på {diff} poeng ({diff_ci}).",
        "en": "Competence has risen since {prev}: from {before} ({before_ci}) to {after} ({after_ci}), a "
        "change of {diff} points ({diff_ci}).",
    },
    "kf_change_down": {
        "nb": "Kompetansen har gått ned siden {prev}: fra {before} ({before_ci}) til {after} ({after_ci}), "
        "en endring på {diff} poeng ({diff_ci}).",
        "en": "Competence has fallen since {prev}: from {before} ({before_ci}) to {after} ({after_ci}), a "
        "change of {diff} points ({diff_ci}).",
    },
    "kf_change_none": {
        "nb": "Kompetansen er om lag uendret siden {prev}: {before} ({before_ci}) da og {after} "
        "({after_ci}) nå; endringen på {diff} poeng ({diff_ci}) er ikke sikker.",
        "en": "Competence is about unchanged since {prev}: {before} ({before_ci}) then and {after} "
        "({after_ci}) now; the change of {diff} points ({diff_ci}) is not certain.",
    },
    "kf_caveat": {
        "nb": "Les tallene med forbehold om utvalget: {caveat}",
        "en": "Read the figures with the sample in mind: {caveat}",
    },
    # --- scores ---------------------------------------------------------------------------------
    "h_scores": {
        "nb": "Kompetanse, holdninger, medvirkning og ressurser",
        "en": "Competence, attitudes, participation and resources",
    },
    "scores_intro": {
        "nb": "Hvert mål er regnet ut for hver utleier og vist som gjennomsnitt etter utleierkategori, "
        "kommunestørrelse og fylke. Svaret «vet ikke» inngår ikke i gjennomsnittene.",
        "en": "Each measure is computed for every landlord and shown as a mean by landlord category, "
        "municipality size and county. “Don't know” answers are left out of the means.",
    },
    "score_desc_kompetanse": {
        "nb": "Gjennomsnitt av sju spørsmål om hvor stor kompetanse utleieren har, fra 0 (i svært liten "
        "grad) til 100 (i svært stor grad).",
        "en": "Mean of seven questions on how much competence the landlord has, from 0 (to a very small "
        "extent) to 100 (to a very large extent).",
    },
    "score_desc_holdning": {
        "nb": "Gjennomsnitt av fire påstander om medvirkning, fra 0 (helt uenig) til 100 (helt enig); "
        "påstanden om at medvirkning tar mer tid enn det gir, er snudd.",
        "en": "Mean of four statements about participation, from 0 (strongly disagree) to 100 (strongly "
        "agree); the statement that participation takes more time than it gives is reversed.",
    },
    "score_desc_niva": {
        "nb": "Gjennomsnittlig høyeste medvirkningsnivå over fem områder, fra 0 (ingen medvirkning) til "
        "5 (beboerne bestemmer).",
        "en": "Average highest level of participation over five areas, from 0 (no participation) to 5 "
        "(tenants decide).",
    },
    "score_desc_forutsetninger": {
        "nb": "Antall av fem forutsetninger for medvirkning utleieren har (plan, stilling, budsjett, "
        "opplæring, samarbeid), fra 0 til 5.",
        "en": "Number of five prerequisites for participation the landlord has (plan, position, budget, "
        "training, cooperation), from 0 to 5.",
    },
    "score_desc_bredde": {
        "nb": "Antall medvirkningsformer i bruk, fra 0 til 7.",
        "en": "Number of forms of participation in use, from 0 to 7.",
    },
    "score_caption_fig": {
        "nb": "{score} etter utleierkategori og kommunestørrelse: gjennomsnitt med 95\u00a0% konfidensintervall.",
        "en": "{score} by landlord category and municipality size: means with 95% confidence intervals.",
    },
    "score_caption_table": {
        "nb": "{score} ({scale}) etter utleierkategori, kommunestørrelse og fylke",
        "en": "{score} ({scale}) by landlord category, municipality size and county",
    },
    "scale_0_100": {"nb": "skala 0–100", "en": "scale 0–100"},
    "scale_0_5": {"nb": "skala 0–5", "en": "scale 0–5"},
    "scale_0_7": {"nb": "skala 0–7", "en": "scale 0–7"},
    "alt_dot": {
        "nb": "Punktdiagram med 95\u00a0% konfidensintervall for {what} ({scale}). {values}{hidden}",
        "en": "Dot plot with 95% confidence intervals of {what} ({scale}). {values}{hidden}",
    },
    "alt_bar": {
        "nb": "Liggende stolpediagram over {what}, sortert fra høyest til lavest, med 95\u00a0% "
        "konfidensintervall: {values}.",
        "en": "Horizontal bar chart of {what}, sorted from highest to lowest, with 95% confidence "
        "intervals: {values}.",
    },
    "alt_hidden": {
        "nb": " Skjult fordi tallet bygger på for få svar: {groups}.",
        "en": " Hidden because the figure rests on too few responses: {groups}.",
    },
    "col_group_var": {"nb": "Inndeling", "en": "Breakdown"},
    "col_group": {"nb": "Gruppe", "en": "Group"},
    "col_mean": {"nb": "Gjennomsnitt", "en": "Mean"},
    "col_share": {"nb": "Andel (%)", "en": "Share (%)"},
    "col_dont_know": {"nb": "Vet ikke (%)", "en": "Don't know (%)"},
    "col_item": {"nb": "Spørsmål", "en": "Question"},
    "col_rank": {"nb": "Rang", "en": "Rank"},
    "col_theme": {"nb": "Tema", "en": "Theme"},
    "col_barrier": {"nb": "Hindring", "en": "Barrier"},
    "col_format": {"nb": "Format", "en": "Format"},
    "col_wants": {"nb": "Ønsker temaet (%)", "en": "Want the theme (%)"},
    "col_most_important": {"nb": "Viktigst (%)", "en": "Most important (%)"},
    "col_category": {"nb": "Utleierkategori", "en": "Landlord category"},
    "col_measure": {"nb": "Mål", "en": "Measure"},
    "col_change": {"nb": "Endring", "en": "Change"},
    "col_value": {"nb": "Verdi", "en": "Value"},
    "col_count": {"nb": "Antall", "en": "Count"},
    "col_reason": {"nb": "Årsak", "en": "Reason"},
    "col_scale": {"nb": "Skala", "en": "Scale"},
    "col_items": {"nb": "Spørsmål (k)", "en": "Items (k)"},
    "col_alpha": {"nb": "Cronbachs alfa", "en": "Cronbach's alpha"},
    "col_file": {"nb": "Fil", "en": "File"},
    "col_role": {"nb": "Rolle", "en": "Role"},
    "col_package": {"nb": "Pakke", "en": "Package"},
    "col_version": {"nb": "Versjon", "en": "Version"},
    "col_wave": {"nb": "Runde", "en": "Wave"},
    "gv_total": {"nb": "Alle", "en": "All"},
    "gv_utleierkategori": {"nb": "Utleierkategori", "en": "Landlord category"},
    "gv_storrelse": {"nb": "Kommunestørrelse", "en": "Municipality size"},
    "gv_fylke": {"nb": "Fylke", "en": "County"},
    # --- participation, barriers, themes --------------------------------------------------------
    "h_barriers": {"nb": "Hindringer for medvirkning", "en": "Barriers to participation"},
    "barriers_intro": {
        "nb": "Utleierne kunne velge inntil tre hindringer. Andelene er regnet av dem som svarte på "
        "spørsmålet.",
        "en": "Landlords could choose up to three barriers. Shares are of those who answered the question.",
    },
    "barriers_caption_fig": {
        "nb": "Andel som nevner hver hindring, alle utleiere, med 95\u00a0% konfidensintervall.",
        "en": "Share naming each barrier, all landlords, with 95% confidence intervals.",
    },
    "barriers_caption_table": {
        "nb": "Andel som nevner hver hindring (%), etter utleierkategori",
        "en": "Share naming each barrier (%), by landlord category",
    },
    "barriers_what": {
        "nb": "andelen som nevner hver hindring",
        "en": "the share naming each barrier",
    },
    "h_themes": {"nb": "Ønskede seminartemaer", "en": "Seminar themes wanted"},
    "themes_intro": {
        "nb": "Undersøkelsen skal velge temaene for seminarrekken. Temaene står i prioritert rekkefølge: "
        "etter hvor stor andel som ønsker dem, og ved lik andel etter hvor mange som peker på "
        "temaet som det viktigste.",
        "en": "The survey chooses the themes of the seminar series. The themes are in priority order: by "
        "the share who want them, and at equal shares by how many name the theme the most "
        "important.",
    },
    "themes_caption_fig": {
        "nb": "Seminartemaer i prioritert rekkefølge: andel som ønsker temaet, med 95\u00a0% konfidensintervall.",
        "en": "Seminar themes in priority order: share wanting the theme, with 95% confidence intervals.",
    },
    "themes_caption_table": {
        "nb": "Seminartemaer i prioritert rekkefølge",
        "en": "Seminar themes in priority order",
    },
    "themes_by_cat_caption": {
        "nb": "Andel som ønsker hvert seminartema (%), etter utleierkategori",
        "en": "Share wanting each seminar theme (%), by landlord category",
    },
    "themes_what": {
        "nb": "andelen som ønsker hvert seminartema",
        "en": "the share wanting each seminar theme",
    },
    "formats_caption": {
        "nb": "Foretrukne formater for kompetansetiltak (%)",
        "en": "Preferred formats for competence activities (%)",
    },
    # --- change ---------------------------------------------------------------------------------
    "h_change": {"nb": "Endring siden forrige runde", "en": "Change since the previous wave"},
    "change_none": {
        "nb": "Det finnes ingen tidligere runde å sammenligne med. Neste runde vil vise endringen fra {wave}.",
        "en": "There is no earlier wave to compare with. The next wave will show the change from {wave}.",
    },
    "change_intro": {
        "nb": "Tabellene sammenligner {wave} med {prev}. Endringen er {wave} minus {prev}. Svarene er "
        "anonyme, så rundene behandles som uavhengige utvalg; endringene er ikke vektet.",
        "en": "The tables compare {wave} with {prev}. The change is {wave} minus {prev}. The answers are "
        "anonymous, so the waves are treated as independent samples; the changes are unweighted.",
    },
    "change_caption": {
        "nb": "Gjennomsnitt i {prev} og {wave} og endringen, etter utleierkategori",
        "en": "Means in {prev} and {wave} and the change, by landlord category",
    },
    "change_items_caption": {
        "nb": "Andel som svarer i stor eller svært stor grad (kompetanse) og andel som ønsker hvert "
        "seminartema, {prev} og {wave}",
        "en": "Share answering to a large or very large extent (competence) and share wanting each seminar "
        "theme, {prev} and {wave}",
    },
    "change_items_note": {
        "nb": "Endringen er i prosentpoeng. «:» = skjult fordi tallet bygger på {min_cell} eller færre svar.",
        "en": "The change is in percentage points. “:” = suppressed because the figure rests on {min_cell} "
        "or fewer responses.",
    },
    "not_comparable": {"nb": "ikke sammenlignbart", "en": "not comparable"},
    "col_change_pp": {"nb": "Endring (prosentpoeng)", "en": "Change (percentage points)"},
    "col_comment": {"nb": "Merknad", "en": "Comment"},
    "col_rank_interval": {"nb": "Rangintervall (95 %)", "en": "Rank interval (95%)"},
    "themes_table_note": {
        "nb": "Rangintervallet viser hvilke plasser temaet kunne fått med et annet utvalg (klyngebootstrap).",
        "en": "The rank interval shows which places the theme could have had with another sample (cluster "
        "bootstrap).",
    },
    "change_not_comparable": {
        "nb": "Ikke sammenlignbart mellom rundene:",
        "en": "Not comparable between the waves:",
    },
    "nc_komp_digitalt": {
        "nb": "Spørsmålet om kompetanse i digitale kanaler finnes bare i instrumentversjon 2; det er "
        "holdt utenfor kompetansemålet, så målet er likt i begge runder.",
        "en": "The question on competence in digital channels exists only in instrument version 2; it "
        "is left out of the competence measure, so the measure is the same in both waves.",
    },
    "nc_utleiertype": {
        "nb": "Versjon 2 slår sammen «Bydel» og «Kommunalt foretak»; utleiertype sammenlignes derfor "
        "bare som utleierkategori (kommunal, ideell, kommersiell).",
        "en": "Version 2 merges “City district” and “Municipal enterprise”; landlord type is therefore "
        "compared only as landlord category (municipal, non-profit, commercial).",
    },
    "nc_behov": {
        "nb": "Temaet «Beboerråd og organisering» heter «organisering» i versjon 2 og betyr det samme; det "
        "sammenlignes som ett tema.",
        "en": "The theme “Tenant boards and organisation” is called “organisation” in version 2 with the "
        "same meaning; it is compared as one theme.",
    },
    "nc_design": {
        "nb": "Rundene har ulikt utvalgsdesign ({prev_design} mot {design}); endringer kan skyldes hvem som "
        "svarte.",
        "en": "The waves have different sampling designs ({prev_design} against {design}); changes may "
        "reflect who answered.",
    },
    "nc_same": {
        "nb": "Begge rundene brukte samme instrumentversjon; alle mål er sammenlignbare.",
        "en": "Both waves used the same instrument version; every measure is comparable.",
    },
    # --- about ------------------------------------------------------------------------------------
    "h_about": {"nb": "Om undersøkelsen", "en": "About the survey"},
    "h_about_design": {"nb": "Design og utvalg", "en": "Design and sampling"},
    "design_convenience": {"nb": "bekvemmelighetsutvalg", "en": "convenience sample"},
    "design_census": {"nb": "totalundersøkelse av kommunene", "en": "census of municipalities"},
    "design_probability": {
        "nb": "sannsynlighetsutvalg av kommuner",
        "en": "probability sample of municipalities",
    },
    "design_text": {
        "nb": "Runden {wave} er et {design}. Spørreskjemaet er instrumentversjon {version}. {caveat}",
        "en": "The wave {wave} is a {design}. The questionnaire is instrument version {version}. {caveat}",
    },
    "cluster_text": {
        "nb": "En kommune kan svare gjennom flere enheter (bydeler, etater, foretak). Usikkerheten er "
        "derfor regnet med kommunen som klynge, slik at enheter i samme kommune ikke telles som "
        "uavhengige svar.",
        "en": "A municipality may answer through several units (city districts, agencies, enterprises). "
        "Uncertainty is therefore computed with the municipality as a cluster, so units of one "
        "municipality do not count as independent answers.",
    },
    "h_about_fieldwork": {"nb": "Datainnsamling", "en": "Fieldwork"},
    "fieldwork_text": {
        "nb": "Datainnsamlingen pågikk fra {start} til {end}. Eksporten ({format}) ble mottatt {received}.",
        "en": "Fieldwork ran from {start} to {end}. The export ({format}) was received on {received}.",
    },
    "h_about_responses": {
        "nb": "Svar etter utleierkategori",
        "en": "Responses by landlord category",
    },
    "responses_caption": {
        "nb": "Antall svar etter utleierkategori",
        "en": "Number of responses by landlord category",
    },
    "h_about_quality": {"nb": "Eksklusjoner og datakvalitet", "en": "Exclusions and data quality"},
    "quality_text": {
        "nb": "Eksporten hadde {read} rader. {kept} svar er med i analysen, og {quarantined} er holdt utenfor "
        "(satt i karantene) av årsakene i tabellen. {set_missing} enkeltsvar med ugyldige "
        "verdier ble satt som manglende. Personopplysninger i fritekst ble fjernet ({redactions} "
        "tilfeller), og fritekstsvar vises aldri i denne rapporten.",
        "en": "The export had {read} rows. {kept} responses are in the analysis and {quarantined} were kept "
        "out (quarantined) for the reasons in the table. {set_missing} single answers with invalid "
        "values were set to missing. Personal data in free text were removed ({redactions} "
        "instances), and free-text answers never appear in this report.",
    },
    "reason_duplicate": {
        "nb": "Duplikat (identisk med et tidligere svar)",
        "en": "Duplicate (identical to an earlier response)",
    },
    "reason_utleiertype_missing": {"nb": "Utleiertype mangler", "en": "Landlord type missing"},
    "reason_utleiertype_unknown": {
        "nb": "Ukjent utleiertype (kode {code})",
        "en": "Unknown landlord type (code {code})",
    },
    "quality_caption": {
        "nb": "Svar holdt utenfor analysen, etter årsak",
        "en": "Responses kept out of the analysis, by reason",
    },
    "quality_none": {"nb": "Ingen svar ble holdt utenfor.", "en": "No responses were kept out."},
    "flags_text": {
        "nb": "Svar som er beholdt, men merket: {flags}.",
        "en": "Responses kept but flagged: {flags}.",
    },
    "flag_flag_ingen_conflict": {
        "nb": "«Ingen» medvirkningsform sammen med en annen form",
        "en": "“None” as a form of participation together with another form",
    },
    "flag_flag_barrierer_over_max": {
        "nb": "flere enn tre hindringer valgt",
        "en": "more than three barriers chosen",
    },
    "flag_flag_kommune_unknown": {
        "nb": "ukjent kommunenummer",
        "en": "unknown municipality number",
    },
    "missing_rule": {
        "nb": "Manglende svar og «vet ikke / ikke aktuelt» inngår ikke i gjennomsnitt og andeler; hvert "
        "tall bygger på dem som svarte på spørsmålet (n i tabellene).",
        "en": "Missing answers and “don't know / not applicable” are left out of means and shares; every "
        "figure rests on those who answered the question (n in the tables).",
    },
    "h_about_weighting": {"nb": "Vekting", "en": "Weighting"},
    "weighting_none": {
        "nb": "Svarene er ikke vektet: i et bekvemmelighetsutvalg finnes det ikke kjente "
        "utvalgssannsynligheter å vekte med, og vekting mot kommuneregisteret ville gitt et "
        "inntrykk av representativitet utvalget ikke har.",
        "en": "The answers are not weighted: a convenience sample has no known selection probabilities to "
        "weight by, and weighting to the municipality register would suggest a representativeness "
        "the sample does not have.",
    },
    "weighting_raked": {
        "nb": "Kommunale svar er raket til kommuneregisterets antall kommuner per fylke og kommunestørrelse. "
        "Vektene gir en designeffekt på {deff} (Kish) og et effektivt utvalg på {neff} kommunale svar.",
        "en": "Municipal answers are raked to the register's number of municipalities by county and "
        "municipality size. The weights give a design effect of {deff} (Kish) and an effective "
        "sample of {neff} municipal answers.",
    },
    "h_about_reliability": {"nb": "Reliabilitet", "en": "Reliability"},
    "reliability_text": {
        "nb": "Cronbachs alfa måler hvor godt spørsmålene i hvert mål henger sammen (0,7 eller mer regnes "
        "vanligvis som godt nok). Intervallet er Feldts 95\u00a0% konfidensintervall.",
        "en": "Cronbach's alpha measures how well the questions of each measure hang together (0.7 or more "
        "is usually taken as good enough). The interval is Feldt's 95% confidence interval.",
    },
    "reliability_caption": {"nb": "Reliabilitet for målene", "en": "Reliability of the measures"},
    "h_about_disclosure": {"nb": "Personvern og prikking", "en": "Privacy and suppression"},
    "disclosure_text_public": {
        "nb": "Undersøkelsen er anonym. Tall som bygger på {min_cell} eller færre svar, vises ikke "
        "(markert «:»), heller ikke tall som kan regnes ut fra andre tall i samme tabell. Tall for "
        "enkeltkommuner og fritekstsvar vises ikke.",
        "en": "The survey is anonymous. Figures resting on {min_cell} or fewer responses are not shown "
        "(marked “:”), nor are figures that could be derived from other figures in the same table. "
        "Figures for single municipalities and free-text answers are not shown.",
    },
    "disclosure_text_internal": {
        "nb": "Dette er en intern rapport: små grupper er ikke skjult, og den skal ikke publiseres. "
        "Fritekstsvar vises heller ikke her.",
        "en": "This is an internal report: small groups are not suppressed, and it must not be published. "
        "Free-text answers are not shown here either.",
    },
    "scale_komp": {"nb": "Kompetanse (komp)", "en": "Competence (komp)"},
    "scale_hold": {"nb": "Holdning (hold)", "en": "Attitude (hold)"},
    "scale_niva": {"nb": "Medvirkningsnivå (niva)", "en": "Participation level (niva)"},
    "scale_forut": {"nb": "Forutsetninger (forut, KR-20)", "en": "Prerequisites (forut, KR-20)"},
    # --- provenance -----------------------------------------------------------------------------
    "h_provenance": {"nb": "Kildegrunnlag og versjoner", "en": "Provenance and versions"},
    "provenance_text": {
        "nb": "Rapporten er laget med kommandoen «python -m analysis report {wave}» fra dataene og "
        "programvaren nedenfor. Sjekksummene (SHA-256) viser nøyaktig hvilke filer som er brukt.",
        "en": "The report was made with the command “python -m analysis report {wave}” from the data and "
        "software below. The checksums (SHA-256) show exactly which files were used.",
    },
    "files_caption": {
        "nb": "Inndatafiler og sjekksummer (SHA-256)",
        "en": "Input files and checksums (SHA-256)",
    },
    "role_export": {"nb": "Eksport", "en": "Export"},
    "role_frame": {"nb": "Kommuneregister", "en": "Municipality register"},
    "role_extra": {"nb": "Tilleggsfil", "en": "Additional file"},
    "versions_caption": {"nb": "Programvare", "en": "Software"},
    "instrument_line": {
        "nb": "Instrumentversjon: {version}.",
        "en": "Instrument version: {version}.",
    },
    "commit_line": {
        "nb": "Prosjektets git-commit: {commit}.",
        "en": "The project's git commit: {commit}.",
    },
    "commit_dirty": {"nb": " (med lokale endringer)", "en": " (with local changes)"},
    "disclosure_line": {
        "nb": "Prikking: {level}, terskel {min_cell} svar.",
        "en": "Suppression: {level}, threshold {min_cell} responses.",
    },
    "level_public": {"nb": "offentlig", "en": "public"},
    "level_internal": {"nb": "intern", "en": "internal"},
    # --- appendix: every question (analysis.render.appendix) ------------------------------------
    "h_appendix": {"nb": "Vedlegg: alle spørsmål", "en": "Appendix: every question"},
    "appendix_intro": {
        "nb": "Her er hvert spørsmål i spørreskjemaet med svarfordelingen. n er antallet som svarte "
        "på spørsmålet (eller på raden eller alternativet), og prosentene er andeler av dem; "
        "«vet ikke» regnes med i n. Tall som er skjult av personvernhensyn, er markert «:». "
        "Fritekstsvar vises aldri, bare hvor mange som svarte.",
        "en": "Every question of the questionnaire with its answers. n is the number who answered "
        "the question (or the row or option), and the percentages are shares of them; “don't "
        "know” counts in n. Figures hidden to protect respondents are marked “:”. Free-text "
        "answers are never shown, only how many answered.",
    },
    "appendix_section_background": {"nb": "Om utleieren", "en": "About the landlord"},
    "appendix_section_practice": {"nb": "Medvirkning i praksis", "en": "Participation in practice"},
    "appendix_section_competence": {
        "nb": "Kompetanse, holdninger og forutsetninger",
        "en": "Competence, attitudes and prerequisites",
    },
    "appendix_section_needs": {"nb": "Hindringer og behov", "en": "Obstacles and needs"},
    "appendix_question_id": {"nb": "Spørsmål {id}", "en": "Question {id}"},
    "appendix_type_single": {"nb": "enkeltvalg", "en": "single choice"},
    "appendix_type_checkbox": {"nb": "flervalg", "en": "multiple choice"},
    "appendix_type_matrix": {"nb": "matrise", "en": "matrix"},
    "appendix_type_text": {"nb": "tekstsvar", "en": "text answer"},
    "appendix_n": {"nb": "n = {n}", "en": "n = {n}"},
    "appendix_dont_know": {"nb": "«vet ikke»: {share}", "en": "“don't know”: {share}"},
    "appendix_col_answer": {"nb": "Svar", "en": "Answer"},
    "appendix_col_code": {"nb": "Kode", "en": "Code"},
    "appendix_total": {"nb": "I alt (svarte)", "en": "Total (answered)"},
    "appendix_col_row": {"nb": "Delspørsmål", "en": "Item"},
    "appendix_col_option": {"nb": "Alternativ", "en": "Option"},
    "appendix_col_chosen": {"nb": "Antall valgt", "en": "Number choosing"},
    "appendix_col_chosen_pct": {"nb": "Andel valgt (%)", "en": "Share choosing (%)"},
    "appendix_share_axis": {
        "nb": "Andel av dem som svarte (%)",
        "en": "Share of those answering (%)",
    },
    "appendix_chosen_axis": {
        "nb": "Andel som valgte alternativet (%)",
        "en": "Share choosing the option (%)",
    },
    "appendix_hidden": {"nb": "skjult (for få svar)", "en": "hidden (too few answers)"},
    "appendix_alt_bar": {
        "nb": "Stolpediagram over svarene på «{question}»: {values}.",
        "en": "Bar chart of the answers to “{question}”: {values}.",
    },
    "appendix_alt_checkbox": {
        "nb": "Stolpediagram over andelen som valgte hvert alternativ i «{question}»: {values}.",
        "en": "Bar chart of the share choosing each option of “{question}”: {values}.",
    },
    "appendix_alt_stacked": {
        "nb": "Stablet stolpediagram over svarfordelingen for hver rad i «{question}»: {values}.",
        "en": "Stacked bar chart of the answers to each row of “{question}”: {values}.",
    },
    "appendix_caption_fig": {"nb": "Svarfordeling: {question}", "en": "Answers: {question}"},
    "appendix_caption_table": {
        "nb": "Frekvenstabell: {question}",
        "en": "Frequency table: {question}",
    },
    "appendix_free_text": {
        "nb": "Fritekstspørsmål: {n} svarte. Svarene kan inneholde personopplysninger og vises ikke.",
        "en": "Free-text question: {n} answered. The answers may hold personal data and are not "
        "shown.",
    },
    "appendix_text": {
        "nb": "Tekstsvar: {n} svarte. Svarene vises ikke.",
        "en": "Text answer: {n} answered. The answers are not shown.",
    },
}

_CATEGORY = {
    "kommunal": {
        "nb": ("Kommunal", "Kommunale utleiere"),
        "en": ("Municipal", "Municipal landlords"),
    },
    "ideell": {"nb": ("Ideell", "Ideelle utleiere"), "en": ("Non-profit", "Non-profit landlords")},
    "kommersiell": {
        "nb": ("Kommersiell", "Kommersielle utleiere"),
        "en": ("Commercial", "Commercial landlords"),
    },
}

_SIZE = {
    "under 5 000": {"nb": "Under 5 000 innbyggere", "en": "Under 5,000 inhabitants"},
    "5 000–19 999": {"nb": "5 000–19 999 innbyggere", "en": "5,000–19,999 inhabitants"},
    "20 000+": {"nb": "20 000 innbyggere og flere", "en": "20,000 inhabitants or more"},
}


def _check_lang(lang: str) -> None:
    if lang not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")


def t(key: str, lang: str = "nb", **values) -> str:
    """The text ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``.

    Raises KeyError for an unknown key or a missing placeholder value.
    """
    _check_lang(lang)
    try:
        template = TEXTS[key][lang]
    except KeyError:
        raise KeyError(f"no report text {key!r}") from None
    return template.format(**values)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a text.

    Examples
    --------
    >>> sorted(placeholders("{a} og {b}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def category_label(category: str, lang: str = "nb", *, plural: bool = False) -> str:
    """Display label of a landlord category (``kommunal``, ``ideell``, ``kommersiell``)."""
    _check_lang(lang)
    labels = _CATEGORY.get(str(category))
    if labels is None:
        return str(category)
    return labels[lang][1 if plural else 0]


def size_label(size_class: str, lang: str = "nb") -> str:
    """Display label of a municipality size class of :data:`analysis.instrument.codebook.SIZE_CLASSES`."""
    _check_lang(lang)
    return _SIZE.get(str(size_class), {}).get(lang, str(size_class))


def group_label(group_var: str, group: str, lang: str = "nb") -> str:
    """Display label of a group of :func:`analysis.stats.estimates.group_means` output."""
    if group_var == "utleierkategori":
        return category_label(group, lang)
    if group_var == "storrelse":
        return size_label(group, lang)
    if group_var == "total":
        return t("all", lang)
    return str(group)


def group_var_label(group_var: str, lang: str = "nb") -> str:
    """Display label of a grouping variable (``total``, ``utleierkategori``, ``storrelse``, ``fylke``)."""
    key = f"gv_{group_var}"
    return t(key, lang) if key in TEXTS else str(group_var)
