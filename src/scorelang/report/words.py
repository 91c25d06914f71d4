"""The words of the reports, in Italian and English: headings, labels (the html and xlsx
reports', and the notes on the values every report shows), and what each flag means. Words
only: no figure is formatted here (engine.numbers does that).
"""

from __future__ import annotations

PAGE_WORDS: dict[str, dict[str, str]] = {
    "it": {
        "kicker": "Monitoraggio della performance", "period": "Periodo",
        "as_of": "Data di monitoraggio", "plan_score": "Punteggio del piano",
        "summary": "Quadro riepilogativo", "area": "Ambito strategico",
        "objective": "Obiettivo strategico", "achievement": "Grado di raggiungimento",
        "band": "Valutazione", "weight": "Peso",
        "chart": "Grado di raggiungimento per obiettivo strategico",
        "tree": "Albero degli obiettivi e indicatori", "node": "Obiettivo / indicatore",
        "target": "Target", "value": "Valore rilevato", "progress": "Valore rispetto al target",
        "scorecards": "Obiettivi individuali della dirigenza",
        "findings": "Indicazioni dell'OIV (regole del piano)", "category": "Categoria",
        "severity": "Gravità", "finding": "Indicazione",
        "entry": "Obiettivo individuale", "legend": "Legenda", "bands": "Valutazione",
        "component": "Componente", "rating_given": "Giudizio", "reward": "Quota premio",
        "reward_band": "fascia",
        "flags": "Note sugli indicatori", "nd": "N/D", "nd_missing": "non rilevato",
        "nd_neutralised": "neutralizzato", "nd_no_target": "target da definire",
        "limit": "limite minimo, target da definire", "baseline": "valore di partenza",
        "nd_not_due": "non ancora scaduto", "periodic": "periodico", "annual": "annuale",
        "by": "entro", "done": "fatto il", "raw": "grezzo", "uses": "indicatori",
        "from": "da", "to": "a", "notes": "Avvisi del calcolo",
        "value_notes": "Note ai valori", "value_note": "Nota al valore",
        "data_source": "Fonte del dato", "source_of": "Fonte",
        "annex": "Allegato: descrizione degli indicatori", "indicator": "Indicatore",
        "description": "Descrizione e metodo di calcolo",
        "met": "zona in cui il target è raggiunto",
        "bullet_help": "La barra è il valore rilevato, colorata secondo la valutazione; la "
                       "linea nera continua è il target annuale, quella blu tratteggiata il "
                       "target periodico usato nel monitoraggio; la zona grigia più scura è "
                       "quella in cui il target è raggiunto. Le scadenze sono indicate a testo.",
        "footer": "Generato con scorelang. Le percentuali sono arrotondate half-up al "
                  "numero di decimali del piano; i calcoli usano i valori non arrotondati.",
        "footer_rounded": "Generato con scorelang. Le percentuali sono arrotondate half-up al "
                          "numero di decimali del piano, e ogni livello legge i valori "
                          "arrotondati del livello sottostante (`rollup rounded`).",
    },
    "en": {
        "kicker": "Performance monitoring", "period": "Period", "as_of": "Monitoring date",
        "plan_score": "Plan score", "summary": "Summary", "area": "Area",
        "objective": "Strategic objective", "achievement": "Achievement", "band": "Rating",
        "weight": "Weight", "chart": "Achievement by strategic objective",
        "tree": "Objectives and indicators", "node": "Objective / indicator",
        "target": "Target", "value": "Measured value", "progress": "Value against target",
        "scorecards": "Managers' individual objectives", "entry": "Individual objective",
        "component": "Component", "rating_given": "Evaluator's rating", "reward": "Reward",
        "reward_band": "band",
        "findings": "Findings of the plan's advice rules", "category": "Category",
        "severity": "Severity", "finding": "Finding",
        "legend": "Legend", "bands": "Rating", "flags": "Indicator notes", "nd": "N/D",
        "nd_missing": "not reported", "nd_neutralised": "neutralised",
        "nd_no_target": "target to be decided", "limit": "minimum limit, target tbd",
        "baseline": "baseline",
        "nd_not_due": "not yet due", "periodic": "periodic",
        "annual": "annual", "by": "by", "done": "done on", "raw": "raw", "uses": "indicators",
        "from": "from", "to": "to", "notes": "Scoring notes",
        "value_notes": "Notes on the values", "value_note": "Value note",
        "data_source": "Data source", "source_of": "Source",
        "annex": "Annex: the indicators described", "indicator": "Indicator",
        "description": "Description and method of calculation",
        "met": "zone where the target is met",
        "bullet_help": "The bar is the measured value, coloured by its rating; the solid "
                       "black line is the annual target, the dashed blue one the periodic "
                       "target used at this monitoring; the darker grey zone is where the "
                       "target is met. Deadlines are shown as text.",
        "footer": "Made with scorelang. Percentages are rounded half-up to the plan's "
                  "decimals; every computation uses the unrounded figures.",
        "footer_rounded": "Made with scorelang. Percentages are rounded half-up to the plan's "
                          "decimals, and each level reads the rounded figures of the level "
                          "below (`rollup rounded`).",
    },
}

# Short flag badges on an indicator row, and what each means in the legend.
FLAG_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "it": {
        "capped": ("tetto", "il valore supera il target: il grado grezzo è oltre il tetto "
                            "(di norma 100 %) e conta il tetto"),
        "floored": ("soglia", "il grado grezzo è sotto la soglia minima (di norma 0 %) e "
                              "conta la soglia"),
        "periodic_target": ("periodico", "misurato sul target periodico del monitoraggio "
                                         "invece che su quello annuale"),
        "late": ("in ritardo", "completato dopo la scadenza"),
        "missed": ("scaduto", "scadenza passata senza completamento"),
        "zero_weight": ("peso 0 %", "mostrato e valutato, non conteggiato nel livello sopra"),
        "value_zero": ("N/D = 0", "valore N/D preso come 0 (`missing value_zero`)"),
        "overridden": ("rettificato", "grado fissato nel file dei valori, con la motivazione"),
        "previous_score": ("precedente", "target da definire: il grado del monitoraggio "
                                         "precedente"),
    },
    "en": {
        "capped": ("capped", "the value overshoots the target: the raw achievement is above "
                             "the cap (usually 100 %) and counts as the cap"),
        "floored": ("floored", "the raw achievement is below the floor (usually 0 %) and "
                               "counts as the floor"),
        "periodic_target": ("periodic", "measured against the monitoring's periodic target "
                                        "instead of the annual one"),
        "late": ("late", "done after the deadline"),
        "missed": ("missed", "deadline passed, not done"),
        "zero_weight": ("weight 0 %", "shown and scored, not counted in the level above"),
        "value_zero": ("N/D = 0", "an N/D value taken as 0 (`missing value_zero`)"),
        "overridden": ("overridden", "score set in the values file, with its reason"),
        "previous_score": ("previous", "target to be decided: the previous monitoring's score"),
    },
}

# The severity of an advice rule's finding as a reader of the report says it. The plan writes
# `info`/`warning`/`critical` and JSON and SARIF keep those keys: these are the human words.
SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "it": {"info": "informazione", "warning": "avviso", "critical": "critico"},
    "en": {"info": "info", "warning": "warning", "critical": "critical"},
}


def severity_word(severity: str, locale: str) -> str:
    """`warning` -> "avviso" under locale it; a severity the table does not know, as written."""
    return SEVERITY_WORDS.get(locale, SEVERITY_WORDS["en"]).get(severity, severity)
