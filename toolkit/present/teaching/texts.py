"""The lab's words, as data: the class's timing plan, the deadline rules it applies, the
discussion prompts with the instructor's talking points, in Chinese and English.

Why here and not in the notebook: the same text is printed by the lab (with the store's own
figures filled in), listed in the instructor's notes and checked by the tests (the plan adds
up to 90 minutes; no text names a file that is not in the repository).
"""
from __future__ import annotations

from dataclasses import dataclass

from toolkit.spec.vocab import SMALL_SAMPLE


@dataclass(frozen=True)
class Part:
    """One part of the class: its minutes, what it does and which exercises it holds."""

    number: int
    minutes: int
    title_zh: str
    title_en: str
    exercises: tuple[int, ...]
    discussions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """The instructor's notes for the part (talking points outside the discussions)."""


PARTS: tuple[Part, ...] = (
    Part(1, 10, "导入:条例、公布期限与年报模板", "Framing: the regulation, deadlines, the template",
         (), notes=(
             "Open with a question: why would a government publish counts of how it answered "
             "requests? Who reads them (superiors, courts, researchers, the public)?",
             "Deadlines differ by kind of body: departments 31 January, governments 31 March "
             "(art. 49); townships are not named, and the lab applies 31 March. Ask students "
             "to keep the rule in mind for part 5.",
             "The template fixes rows and columns, so reports can be added up; the prose "
             "sections (一, 五, 六) cannot, and part 4 reads one of them.")),
    Part(2, 12, "读懂第三部分(依申请公开)", "Reading section 三 (requests)", (1, 2), notes=(
        "Walk through the grid row by row before exercise 1: students who find the rows "
        "themselves do the later exercises faster.",
        "The identity (exercise 2) is the template's own check; the toolkit records a failure "
        "and does not correct it. Ask: whose error would a failure be?")),
    Part(3, 18, "比率及其含义", "Rates and what they mean", (3, 4, 5),
         ("not_held", "zero_refusal"), notes=(
             "Insist on fractions with their counts: '0.40 (30 of 75)', never a bare 40%.",
             "Every rate has a denominator choice (processed or on hand): ask students to say "
             "which, every time.")),
    Part(4, 15, "第五部分与数字对照", "Section 五 beside the numbers", (6, 7), ("section_five",),
         notes=("Give students five minutes of silent reading before the discussion.",)),
    Part(5, 8, "公布时效", "Timeliness", (8,), ("deadline",)),
    Part(6, 20, "同类相比:同一机关跨年、同类机关同年", "Like with like: the same bodies across "
         "years, like bodies in one year", (9, 10, 11, 12, 13), ("different_bodies",), notes=(
             "Exercises 9 to 13 adapt to the store: when it lacks a body with consecutive "
             "years or a like pair with enough requests, they ask another question and say "
             "why (listed at the top of these notes). Use that as a teaching point: an uneven "
             "corpus limits which comparisons are honest.",)),
    Part(7, 7, "总结:写一段备忘录", "Wrap-up: a short memo", (), ("memo",), notes=(
        "Collect two or three memos and read them out; check each for a count next to every "
        "rate and for like-with-like comparisons.",)),
)
"""The class, part by part; the minutes add up to `CLASS_MINUTES`."""

CLASS_MINUTES = 90


@dataclass(frozen=True)
class DeadlineRule:
    """Who must publish by when (条例 第四十九条), and the rule the lab applies to townships."""

    key: str
    applies_zh: str
    applies_en: str
    month: int
    day: int
    source: str


DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule("department", "县级以上人民政府部门", "departments of governments at county level "
                 "and above", 1, 31, "条例第四十九条 / Regulations art. 49"),
    DeadlineRule("government", "县级以上地方人民政府(由其政府信息公开工作主管部门公布)",
                 "local people's governments at county level and above (published by their "
                 "information-disclosure office)", 3, 31, "条例第四十九条 / Regulations art. 49"),
    DeadlineRule("township", "乡镇人民政府及其他第四十九条未列明的机关", "townships, and any body "
                 "art. 49 does not name", 3, 31,
                 "本实验的规则:条例未规定,取较晚的3月31日,不以条例未写明的期限判定逾期 / the "
                 "lab's rule: art. 49 names no date, so the later date (31 March) applies and no "
                 "body is called late under a date the regulation does not state"),
)
"""The deadline of a report for year Y falls in year Y+1."""


@dataclass(frozen=True)
class Discussion:
    """A question for the class: the prompt (with the store's figures filled in by the lab)
    and the instructor's talking points."""

    key: str
    title: str
    prompt_zh: str
    prompt_en: str
    points: tuple[str, ...]


DISCUSSIONS: dict[str, Discussion] = {d.key: d for d in (
    Discussion(
        "not_held", "“本机关不掌握”占一半 / 'not held' at half of all answers",
        "{fact_zh}如果一个机关约一半的答复是“本机关不掌握相关政府信息”,这告诉我们什么?"
        "是申请人找错了机关、机关自己的档案管理有问题,还是一种方便的答复方式?"
        "要区分这几种解释,你还需要哪些信息?",
        "{fact_en}If about half of a body's answers are 'this body does not hold the "
        "information', what does that tell us? Requests sent to the wrong body, weak records "
        "management, or a convenient answer? What else would you need to tell these apart?",
        ("Misdirected requests are common where many bodies share a topic (land, housing, "
         "social insurance): look at what the requests were about (section 一 or 六 sometimes "
         "says) and at the applicant mix.",
         "A not-held answer is only as good as the search behind it: does the report say how "
         "applicants were told which body holds the information?",
         "Note the denominators: the toolkit's not_held_share divides by 无法提供 (cannot "
         "provide), this exercise by all answers (总计). Both are right; say which.",
         "One year is one observation: does the share persist across the body's years?")),
    Discussion(
        "zero_refusal", "不予公开率为0 / a 0% refusal rate",
        "{fact_zh}设想某机关不予公开率为0%,但40%的申请被“不予处理”。这可能意味着什么?"
        "不予公开率低是否就等于公开程度高?",
        "{fact_en}Imagine a body with a 0% refusal rate (不予公开) but 40% of requests 'not "
        "processed' (不予处理). What could that mean? Is a low refusal rate the same as "
        "openness?",
        ("不予处理 covers petitions and complaints (信访举报投诉), duplicates, requests for "
         "publications, mass repeated requests and requests to confirm information: none is a "
         "refusal in law, so none shows in the refusal rate.",
         "A body can file hard requests under 不予处理, 无法提供 or 其他处理 instead of refusing "
         "them: read the whole outcome mix, not one rate.",
         "Ask what the 不予处理 requests were (the reasons' rows) and whether the report "
         "explains them; compare with review and litigation (section 四): are these answers "
         "challenged, and corrected?",
         f"Over fewer than {SMALL_SAMPLE} requests a 0% is a count, not a pattern.")),
    Discussion(
        "section_five", "第五部分与数字 / section 五 and the numbers",
        "读一读第五部分“存在的主要问题及改进情况”,再看旁边的数字。报告写出的问题与数字显示的"
        "情况一致吗?数字里最突出的情况(例如大量“本机关不掌握”)在文字里提到了吗?"
        "文字具体(有数字、时间、责任单位)还是套话?",
        "Read section 五 (main problems and improvements) beside the figures. Do the problems "
        "it names match what the numbers show? Is the most striking figure (say, many 'not "
        "held' answers) mentioned? Is the text specific (figures, dates, responsible units) or "
        "boilerplate?",
        ("Section 五 is often about proactive disclosure (policy interpretation, websites, "
         "staff) while the numbers students computed are about requests: a mismatch is a "
         "finding, not an error of the lab.",
         "A word search (exercise 7) is a start, not a reading: the text may discuss requests "
         "without the word 申请, or use it in passing.",
         "Boilerplate test: would the paragraph fit any body and any year? The toolkit's "
         "copied-prose check (toolkit.analysis.crosscheck) compares a body's years.",
         "Improvements promised in year t can be checked against year t+1's report when the "
         "store holds it.")),
    Discussion(
        "deadline", "公布期限 / deadlines",
        "{fact_zh}条例第四十九条规定:县级以上人民政府部门于每年1月31日前、县级以上地方人民政府"
        "于每年3月31日前公布上一年度的年报;乡镇没有写明。你会对乡镇适用哪条规则?为什么?"
        "这个选择会改变谁被算作逾期吗?没有公布日期的报告又该怎么处理?",
        "{fact_en}Art. 49 of the Regulations: departments of governments at county level and "
        "above publish by 31 January, local governments at county level and above by 31 March; "
        "townships are not named. Which rule would you apply to townships, and why? Does the "
        "choice change who counts as late? What do you do with a report that carries no date?",
        ("Applying 31 March to everyone makes every department look two months earlier than it "
         "was: the deadline depends on the kind of body.",
         "For townships, 31 March is the lenient reading (no body is called late under a date "
         "the regulation does not state); 31 January treats a township like a department. "
         "State the rule and show how many reports it affects.",
         "A page's date may be when it was posted, not when the report was approved; a report "
         "without a date cannot be judged on time and is counted apart, not as on time.")),
    Discussion(
        "different_bodies", "不同机关的“变化”不是趋势 / a change over different bodies is not a trend",
        "{fact_zh}为什么用不同机关算出的“变化”不是趋势?应该比较什么?为什么政府要和政府比、"
        "部门要和部门比?",
        "{fact_en}Why is a change computed over different bodies not a trend? What should be "
        "compared instead? Why compare governments with governments, departments with "
        "departments?",
        ("A region's figure sums whatever bodies the corpus holds for that year: when the set "
         "changes, the figure changes even if no body changed (a composition effect).",
         "Compare a matched panel: the same bodies in both years, and say how many there are.",
         "Governments and departments receive different requests (a government's office "
         "answers about the whole administration; a department about its field), and levels "
         "differ in size: a county government and a city government are not peers.",
         f"Under {SMALL_SAMPLE} requests a rate is shown with its count and never ranked, and "
         "a change between two such rates is noise until more years say otherwise.")),
    Discussion(
        "memo", "备忘录 / memo",
        "用150字左右给一位不读表格的局长写一段备忘录:这份报告的依申请公开情况如何?"
        "哪一个数字最值得追问?你会请他们在下一份年报第五部分回答什么?写明分母和样本量。",
        "In about 100 words, write a memo to a director who does not read tables: how did this "
        "body handle requests? Which figure most deserves a question? What would you ask them "
        "to answer in section 五 of next year's report? State denominators and counts.",
        ("Good memos give one rate with its count and denominator, one comparison that is like "
         "with like (or say why none is possible), and one question tied to a figure.",
         "Watch for rankings over fewer than 30 requests and for changes over different "
         "bodies: the two mistakes this lab is about.")),
)}
"""The discussion prompts, by key; `{fact_zh}` / `{fact_en}` are filled with the store's
figures by the lab (empty when the store has none)."""


__all__ = ["CLASS_MINUTES", "DEADLINE_RULES", "DISCUSSIONS", "PARTS", "DeadlineRule",
           "Discussion", "Part"]
