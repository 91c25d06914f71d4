"""The Italian of the text reports' sentences: English template -> Italian template, the same
{fields} on both sides (report.speech says them). One entry per template the reports write;
tests/test_locale_words.py finds every `say("...")` of report/ and checks it is here.
"""

from __future__ import annotations

ITALIAN: dict[str, str] = {
    # ---- explain: the head
    "Plan: {title}": "Piano: {title}",
    "; period {period}": "; periodo {period}",
    "; monitoring date {date}": "; data di monitoraggio {date}",
    "How {node} came to {score}": "Come {node} arriva a {score}",
    "N/D policy: {policy}": "Regola per gli N/D: {policy}",
    "What N/D costs {node}: {cost}": "Quanto costano gli N/D a {node}: {cost}",
    "Nodes listed without details are below the depth limit ({depth}); a larger depth "
    "explains them too.": "I nodi elencati senza dettagli sono sotto il limite di profondità "
                          "({depth}); una profondità maggiore spiega anche quelli.",
    "In its parent: none, {node} is the plan's total, the root of the tree":
        "Nel livello superiore: nessuno, {node} è il totale del piano, la radice dell'albero",
    "In its parent: {node} is a top-level area without a weight":
        "Nel livello superiore: {node} è un ambito di primo livello senza peso",
    "In its parent: weight {weight} of {where}; ": "Nel livello superiore: peso {weight} di {where}; ",
    "the plan": "il piano",
    "the plan ({score})": "il piano ({score})",
    # the N/D policies
    "counts_zero (an N/D child counts 0 but keeps its weight)":
        "counts_zero (un figlio N/D conta 0 ma mantiene il suo peso)",
    "excluded (an N/D child is left out and its siblings' weights re-normalised)":
        "excluded (un figlio N/D è escluso e i pesi dei fratelli sono riproporzionati)",
    "value_zero (an N/D value is scored as 0; an N/D child left, a deadline not yet due, "
    "counts 0 but keeps its weight)":
        "value_zero (un valore N/D è calcolato come 0; un figlio ancora N/D, come una "
        "scadenza non ancora arrivata, conta 0 ma mantiene il suo peso)",
    "error (an N/D value stops the scoring; an N/D child left, a deadline not yet due, counts "
    "0 but keeps its weight)":
        "error (un valore N/D ferma il calcolo; un figlio ancora N/D, come una scadenza non "
        "ancora arrivata, conta 0 ma mantiene il suo peso)",
    "N/D (not yet due)": "N/D (non ancora scaduto)",
    "N/D": "N/D",
    # kinds of node
    "area": "ambito", "objective": "obiettivo", "group": "gruppo", "indicator": "indicatore",
    "node": "nodo",
    # how a node counts in its parent
    "shown, not counted": "mostrato, non conteggiato",
    "counts 0 but keeps its weight": "conta 0 ma mantiene il suo peso",
    "left out; siblings re-normalised": "escluso; fratelli riproporzionati",
    "compared with its siblings, not summed": "confrontato con i fratelli, non sommato",
    "neutralised: left out, siblings re-weighted": "neutralizzato: escluso, fratelli ripesati",
    "target to be decided: left out, siblings re-weighted":
        "target da definire: escluso, fratelli ripesati",
    "not weighted": "senza peso",
    "{points} points of {parent}": "{points} punti di {parent}",
    "contributes {weights} × {score} = {points}": "contribuisce {weights} × {score} = {points}",
    " (re-normalised to {weight})": " (riproporzionato a {weight})",
    ", weight {weights}": ", peso {weights}",
    " by {who}": " da {who}",
    "linked: the figure of {link}, scored where it is defined (explain {link} for its "
    "computation)": "collegato: il valore di {link}, calcolato dove è definito (explain "
                    "{link} per il calcolo)",
    "rounded to {places} places before {parent} reads it (rollup rounded)":
        "arrotondato a {places} decimali prima che {parent} lo legga (rollup rounded)",
    "neutralised by {act}: left out, siblings re-weighted ({reason})":
        "neutralizzato con {act}: escluso, fratelli ripesati ({reason})",
    "overridden{by} to {score} (the rules give {computed}): {reason}":
        "rettificato{by} a {score} (le regole danno {computed}): {reason}",
    # targets and values
    "done by {date} (deadline)": "da completare entro il {date} (scadenza)",
    "{direction} tbd — to be decided": "{direction} tbd — da definire",
    "{text} — target to be decided: the minimum limit {limit} stands in "
    "(`missing_target limit`)": "{text} — target da definire: vale il limite minimo {limit} "
                                "(`missing_target limit`)",
    " — periodic target for {period} replaces the annual {annual}":
        " — il target periodico di {period} sostituisce quello annuale {annual}",
    "one": "",
    " — annual target (no periodic target for {period})":
        " — target annuale (nessun target periodico per {period})",
    " — annual target": " — target annuale",
    "done {date}": "completato il {date}",
    "N/D (not reported), taken as 0 (`missing value_zero`)":
        "N/D (non rilevato), preso come 0 (`missing value_zero`)",
    "not done": "non completato",
    "N/D (not reported)": "N/D (non rilevato)",
    "target: {target}": "target: {target}",
    "value: {value}": "valore: {value}",
    "`missing_target skip`: no target yet, left out of every parent":
        "`missing_target skip`: ancora senza target, escluso da ogni livello superiore",
    "`missing_target previous`: the previous monitoring's score, {score}":
        "`missing_target previous`: il grado del monitoraggio precedente, {score}",
    "formula: {formula}": "formula: {formula}",
    "baseline: last year's {baseline} (information only)":
        "valore di partenza: {baseline} dell'anno precedente (solo informativo)",
    "rule: {rule}": "regola: {rule}",
    "the rule's score": "il grado della regola",
    "raw": "grezzo",
    "{label} {raw}, capped at {cap} → {score}": "{label} {raw}, limitato al tetto {cap} → {score}",
    "{label} {raw}, floored at {floor} → {score}":
        "{label} {raw}, portato alla soglia {floor} → {score}",
    "{label} {raw}, within floor {floor} and cap {cap} → {score}":
        "{label} {raw}, tra la soglia {floor} e il tetto {cap} → {score}",
    # thresholds and score tables
    "{raw} of target": "{raw} del target",
    "{achieved}: below the {threshold} threshold, {score}":
        "{achieved}: sotto la soglia del {threshold}, {score}",
    "{achieved}: from the {threshold} threshold, the achievement itself: {score}":
        "{achieved}: dalla soglia del {threshold}, il grado stesso: {score}",
    "{achieved}: from the {threshold} threshold, rescaled ({raw} − {threshold}) / (100 % − "
    "{threshold}) = {score}": "{achieved}: dalla soglia del {threshold}, riscalato ({raw} − "
                              "{threshold}) / (100 % − {threshold}) = {score}",
    "below {upper}": "sotto {upper}",
    "from {lower}": "da {lower}",
    "{start} to {end}": "da {start} a {end}",
    "{achieved}: {where} scores {scores}": "{achieved}: {where} vale {scores}",
    "{achieved}: {where} scores {scores}: {points} of {maximum} points ({score})":
        "{achieved}: {where} vale {scores}: {points} su {maximum} punti ({score})",
    # leaf rules
    "within the {tolerance} tolerance of the target ({value} against {direction} {target}): "
    "reached → {raw}": "entro la tolleranza del {tolerance} dal target ({value} rispetto a "
                       "{direction} {target}): raggiunto → {raw}",
    "progress from last year's {baseline} to the target {target}: ({value} − {base}) / "
    "({goal} − {base}) = {raw}": "progresso dal valore dell'anno precedente {baseline} al "
                                "target {target}: ({value} − {base}) / ({goal} − {base}) = {raw}",
    "limits: between {one} {x0} and {other} {x1}: {raw}":
        "limiti: tra {one} {x0} e {other} {x1}: {raw}",
    "limits: beyond the {limit} {value}: {raw}": "limiti: oltre {limit} {value}: {raw}",
    # deadlines
    "none": "nessuna",
    "deadline: due {due}, not done, monitoring date {as_of} → not yet due (N/D)":
        "scadenza: entro il {due}, non completato, data di monitoraggio {as_of} → non ancora "
        "scaduto (N/D)",
    "deadline: due {due}, not done, monitoring date {as_of} is after it → missed: {raw}":
        "scadenza: entro il {due}, non completato, la data di monitoraggio {as_of} è "
        "successiva → mancata: {raw}",
    "deadline: due {due}, done {done} → on time: {raw}":
        "scadenza: entro il {due}, completato il {done} → nei tempi: {raw}",
    "deadline: due {due}, done {done}, {days} days late → late rule: ":
        "scadenza: entro il {due}, completato il {done}, con {days} giorni di ritardo → "
        "regola del ritardo: ",
    "linear over {days} days, max(0, 1 − {late} / {days}) = {raw}":
        "lineare su {days} giorni, max(0, 1 − {late} / {days}) = {raw}",
    "a fixed {share} → {raw}": "una quota fissa del {share} → {raw}",
    "zero → {raw}": "zero → {raw}",
    "no value reported → N/D": "nessun valore rilevato → N/D",
    # formulas
    "reached": "raggiunto",
    "not reached": "non raggiunto",
    "target 0": "target 0",
    "ratio with value and target of opposite signs, or value 0":
        "rapporto con valore e target di segno opposto, o valore 0",
    "reached ({relation})": "raggiunto ({relation})",
    "not reached ({relation} is false)": "non raggiunto ({relation} è falso)",
    "ratio value / target": "rapporto valore / target",
    "value / target": "valore / target",
    "{sign} : ratio target / value = {goal} / {value} = {raw}":
        "{sign} : rapporto target / valore = {goal} / {value} = {raw}",
    "{sign} : gap in points, 1 {op} (value − target) / 100 = 1 {op} ({value} − {goal}) / 100 "
    "= {raw}": "{sign} : scarto in punti, 1 {op} (valore − target) / 100 = 1 {op} ({value} − "
               "{goal}) / 100 = {raw}",
    "{sign} : 1 {op} (value − target) / |target| = 1 {op} ({value} − {goal}) / {size} = {raw}":
        "{sign} : 1 {op} (valore − target) / |target| = 1 {op} ({value} − {goal}) / {size} = "
        "{raw}",
    # sums
    "every child weighs 0 % → N/D": "ogni figlio pesa 0 % → N/D",
    "all weighted children N/D → N/D": "tutti i figli con peso sono N/D → N/D",
    "every weighted child left out (neutralised, or its target to be decided) → left out of "
    "its parent too": "ogni figlio con peso è escluso (neutralizzato, o con il target da "
                      "definire) → escluso anche dal livello superiore",
    "sum of weighted scores (aggregate sum, no division): Σ weight × score = {terms} = {score}":
        "somma dei gradi pesati (aggregate sum, senza divisione): Σ peso × grado = {terms} = "
        "{score}",
    "sum: (Σ weight × score) / Σ weights of the children not left out = ({terms}) / "
    "{counted} = {score}": "somma: (Σ peso × grado) / Σ pesi dei figli non esclusi = "
                           "({terms}) / {counted} = {score}",
    "sum: (Σ weight × score) / Σ weights of the scored children = ({terms}) / {counted} = "
    "{score}": "somma: (Σ peso × grado) / Σ pesi dei figli valutati = ({terms}) / {counted} = "
               "{score}",
    "sum: Σ weight × score = {terms} = {score}": "somma: Σ peso × grado = {terms} = {score}",
    "counts 0 but keeps its {weight} weight": "conta 0 ma mantiene il peso del {weight}",
    "N/D: {child} is {score}: {treated}": "N/D: {child} è {score}: {treated}",
    "target to be decided": "target da definire",
    "neutralised": "neutralizzato",
    "{why}: {child} is left out; siblings re-weighted in proportion":
        "{why}: {child} è escluso; fratelli ripesati in proporzione",
    "weight 0 %: {child} is shown, not counted": "peso 0 %: {child} è mostrato, non conteggiato",
    "cost of N/D: {cost}": "costo degli N/D: {cost}",
    "{count} child": "{count} figlio",
    "{count} children": "{count} figli",
    "minimum: the worst of {children}: {score} ({worst})":
        "minimo: il peggiore di {children}: {score} ({worst})",
    "all reached 100 %": "tutti al 100 %",
    "not all reached 100 %": "non tutti al 100 %",
    "all_reached: {reached} of {children} reached 100 %: {verdict} → {score}":
        "all_reached: {reached} di {children} al 100 %: {verdict} → {score}",
    "share_reached: {reached} of {children} reached 100 %, by weight: {score}":
        "share_reached: {reached} di {children} al 100 %, per peso: {score}",
    "if {node} had scored 100 %, {on} would be {would} instead of {before} (the most it could "
    "add: {points} points)": "se {node} fosse al 100 %, {on} sarebbe {would} invece di "
                             "{before} (al massimo {points} punti in più)",
    # ---- verify
    "Plan: {title} ({id})": "Piano: {title} ({id})",
    "{n} score": "{n} grado", "{n} scores": "{n} gradi",
    "{n} value": "{n} valore", "{n} values": "{n} valori",
    "{n} summary score": "{n} grado del quadro riepilogativo",
    "{n} summary scores": "{n} gradi del quadro riepilogativo",
    "{n} summary weight": "{n} peso del quadro riepilogativo",
    "{n} summary weights": "{n} pesi del quadro riepilogativo",
    "{n} figure": "{n} valore", "{n} figures": "{n} valori",
    "{n} published figure": "{n} valore pubblicato",
    "{n} published figures": "{n} valori pubblicati",
    "{n} decimal": "{n} decimale", "{n} decimals": "{n} decimali",
    "Published figures: {source}": "Valori pubblicati: {source}",
    "{figures} checked ({kinds}): {reconciled} reconcile, {wrong} do not":
        "{figures} verificati ({kinds}): {reconciled} tornano, {wrong} no",
    "{figures} checked ({kinds}): {reconciled} reconcile, {wrong} does not":
        "{figures} verificati ({kinds}): {reconciled} tornano, {wrong} no",
    "Not reproduced by the rules ({wrong}):": "Non riprodotti dalle regole ({wrong}):",
    "{wrong} of {published} does not reconcile with the rules.":
        "{wrong} di {published} non torna con le regole.",
    "{wrong} of {published} do not reconcile with the rules.":
        "{wrong} di {published} non tornano con le regole.",
    "All {published} reconcile with the rules.": "Tutti i {published} tornano con le regole.",
    "score": "grado", "value": "valore", "score in the summary table":
        "grado nel quadro riepilogativo", "weight in the summary table":
        "peso nel quadro riepilogativo",
    "{number}. {kind} of {subject} {ref} \"{title}\"": "{number}. {kind} di {subject} {ref} \"{title}\"",
    "printed:    {text}": "pubblicato: {text}",
    "  ({decimals}: reconciles within ±{tolerance})": "  ({decimals}: torna entro ±{tolerance})",
    "at {where}": "in {where}",
    "recomputed: {figure}": "ricalcolato: {figure}",
    "difference: {difference}": "differenza: {difference}",
    "note: {note}": "nota: {note}",
    "how the weight comes about (its parent's sum):":
        "come nasce il peso (la somma del livello superiore):",
    "explanation:": "spiegazione:",
    "no weight": "nessun peso",
    "{shown}  (unrounded {unrounded})": "{shown}  (non arrotondato {unrounded})",
    "{unrounded}{unit} (recorded)": "{unrounded}{unit} (rilevato)",
    "{shown}{unit}  (recorded {unrounded}{unit})": "{shown}{unit}  (rilevato {unrounded}{unit})",
    "printed N/D, the rules give a figure": "pubblicato N/D, le regole danno un valore",
    "printed a figure, the rules give no weight": "pubblicato un valore, le regole non danno peso",
    "printed a figure, the rules give N/D": "pubblicato un valore, le regole danno N/D",
    "the dates differ": "le date sono diverse",
    "points": "punti",
    " (recomputed − printed)": " (ricalcolato − pubblicato)",
    "used at {uses}": "usato in {uses}",
    "used only outside the scored tree (a scorecard)":
        "usato solo fuori dall'albero valutato (in una scheda individuale)",
    "the plan gives this node no weight": "il piano non dà peso a questo nodo",
    "neutralised by {act}: out of the plan, its printed figure is not counted":
        "neutralizzato con {act}: fuori dal piano, il valore pubblicato non è conteggiato",
    "its target is still to be decided (`tbd`, `missing_target skip`): left out of the plan, "
    "its printed figure is not counted": "il target è ancora da definire (`tbd`, "
                                         "`missing_target skip`): fuori dal piano, il valore "
                                         "pubblicato non è conteggiato",
    "overridden by {who}: {reason}": "rettificato da {who}: {reason}",
    "overridden: {reason}": "rettificato: {reason}",
    "overridden by {who}: {reason} (the document prints the figure the rules give, before the "
    "override)": "rettificato da {who}: {reason} (il documento pubblica il valore delle "
                 "regole, prima della rettifica)",
    "overridden: {reason} (the document prints the figure the rules give, before the "
    "override)": "rettificato: {reason} (il documento pubblica il valore delle regole, prima "
                 "della rettifica)",
    # ---- whatif
    "{node} is dropped from the plan": "{node} è tolto dal piano",
    "the weight of {node} becomes {weight}, its siblings keep theirs":
        "il peso di {node} diventa {weight}, i fratelli mantengono il loro",
    "the weight of {node} becomes {weight}, its siblings share the rest in proportion":
        "il peso di {node} diventa {weight}, i fratelli si dividono il resto in proporzione",
    "the target of {indicator} for period {period} becomes {target}":
        "il target di {indicator} per il periodo {period} diventa {target}",
    "the target of {indicator} becomes {target}": "il target di {indicator} diventa {target}",
    "the value of {indicator} becomes {value}": "il valore di {indicator} diventa {value}",
    "Operations:": "Operazioni:",
    "Scores that change ({count}):": "Gradi che cambiano ({count}):",
    "Removed: {nodes}": "Tolti: {nodes}",
    "Values that no longer apply ({count}): the re-modulated plan has no such indicator":
        "Valori non più applicabili ({count}): il piano rimodulato non ha questi indicatori",
    "to score it, remove these entries from {source} (or keep a copy without them beside the "
    "new plan)": "per valutarlo, togliere queste voci da {source} (o tenerne una copia senza di "
                 "esse accanto al nuovo piano)",
    "the values file": "il file dei valori",
    "wrote the re-modulated plan to {path}": "piano rimodulato scritto in {path}",
    "{values} does not score it as it stands: remove {entries} from it first":
        "{values} così com'è non lo valuta: togliere prima {entries}",
    "{rules} declares no advice rules (see docs/advice.md)":
        "{rules} non dichiara regole di analisi (vedi docs/advice.md)",
    "New findings ({count}):": "Nuove indicazioni ({count}):",
    # ---- explain scorecard:ID
    "[{name}: {shown}, left out]": "[{name}: {shown}, escluso]",
    "{weight} × 0 % ({name}: {shown}, counts 0)": "{weight} × 0 % ({name}: {shown}, conta 0)",
    "÷ {weight} counted = {total}": "÷ {weight} conteggiato = {total}",
    ", role {role}": ", ruolo {role}",
    "How scorecard {id} \"{title}\"{role} came to {score}":
        "Come la scheda {id} \"{title}\"{role} arriva a {score}",
    "Final score: the weighted mean of the components":
        "Punteggio finale: la media pesata delle componenti",
    "component {id} \"{title}\" {weight}: {score}": "componente {id} \"{title}\" {weight}: {score}",
    "Final score: the weighted mean of the scorecard's lines":
        "Punteggio finale: la media pesata delle righe della scheda",
    "the plan total": "il totale del piano",
    "objective {ref}": "obiettivo {ref}",
    "indicator {ref}": "indicatore {ref}",
    "behaviours {ref}": "comportamenti {ref}",
    "scale {low} to {high}: a rating r scores r / {high}":
        "scala da {low} a {high}: un giudizio r vale r / {high}",
    "not rated: N/D": "non valutato: N/D",
    "rated {rating} of {scale} = {score}": "giudizio {rating} su {scale} = {score}",
    "Reward {id} \"{title}\": ": "Premio {id} \"{title}\": ",
    "the final score is N/D, so is the share of the bonus":
        "il punteggio finale è N/D, e così la quota del premio",
    "{score} falls in the band {where}, which pays {pays} of the bonus":
        "{score} cade nella fascia {where}, che paga il {pays} del premio",
    "{score} falls in the band {where}, paid {pays} to {pays_to} in proportion:\n  {pays} + "
    "({score} − {lower}) / ({upper} − {lower}) × ({pays_to} − {pays}) = {share} of the bonus":
        "{score} cade nella fascia {where}, pagata dal {pays} al {pays_to} in proporzione:\n  "
        "{pays} + ({score} − {lower}) / ({upper} − {lower}) × ({pays_to} − {pays}) = {share} "
        "del premio",
}
