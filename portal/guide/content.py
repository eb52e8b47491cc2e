"""The guides' words: for each role, its year in order, each step with the page (a URL name), what to fill and the
exact words of the buttons to press, then the rules the portal enforces and the refusals people meet.

Every ``press`` text and every quoted refusal is checked against the files named beside it
(tests/portal/test_guide.py), so a renamed button or a reworded message fails a test instead of misleading a reader.
Screenshots are ``static/guide/<role>/<step>.png``, refreshed by tests/browser/test_guides.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.constants import Role

PUBLIC = "public"


@dataclass(frozen=True)
class Step:
    key: str  #: the screenshot's file name, static/guide/<role>/<key>.png
    title: str
    url_name: str  #: the page to open (reversible without arguments)
    text: str  #: what to do and fill, in the reader's words
    press: tuple[str, ...] = ()  #: the exact words of the buttons or links to press, in order
    sources: tuple[str, ...] = ()  #: files (from the repository's root) where each ``press`` text is written
    shot: bool = True  #: whether the browser test photographs the page for this step

    @property
    def labels(self) -> tuple[str, ...]:
        """``press`` as the reader sees it: a label that names the 旬 (written in its template as
        ``{{ period.label }}``) shows ……"""
        return tuple(label.replace("{{ period.label }}", "……") for label in self.press)


@dataclass(frozen=True)
class Section:
    title: str
    when: str  #: when in the year (旬, working days) this part of the work comes
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Refusal:
    message: str  #: as the reader sees it (names and numbers filled in)
    meaning: str  #: what it means and what to do
    fragment: str  #: a literal part of the message as the code writes it
    source: str  #: the file that writes it


@dataclass(frozen=True)
class Guide:
    role: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    rules: tuple[str, ...] = ()
    refusals: tuple[Refusal, ...] = field(default=())

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for section in self.sections for step in section.steps)


# ---- words several guides share ----------------------------------------------------------------------------------

_SIGN_IN_PLAIN = Step(
    "login",
    "登录平台",
    "login",
    "在登录页填写管理员为您开设的用户名和密码，点击“登录”，进入“我的工作台”。工作台列出您名下待办的事项。"
    "连续输错密码5次，该用户名将被锁定30分钟；闲置30分钟或登录满12小时后须重新登录。",
    press=("登录",),
    sources=("templates/registration/login.html",),
)
_SIGN_IN_SECOND_FACTOR = Step(
    "login",
    "登录平台（须双因素认证）",
    "login",
    "在登录页填写用户名和密码，点击“登录”。您的岗位审核、核定或发放资金，因此还须输入手机身份验证器上的6位验证码："
    "首次登录时用手机扫描页面上的二维码并输入验证码，点击“完成绑定”；以后每次登录输入当前验证码，点击“验证”。"
    "每个验证码只能使用一次；手机遗失请联系系统管理员重置。",
    press=("登录", "完成绑定", "验证"),
    sources=(
        "templates/registration/login.html",
        "templates/registration/two_factor_setup.html",
        "templates/registration/two_factor_verify.html",
    ),
)
_INBOX = Step(
    "inbox",
    "查看消息和提醒",
    "portal:inbox",
    "页面顶部的“消息”列出与您有关的退回、核定、确认等通知，数字为未读条数。在“消息设置”中可逐类选择是否同时接收电子邮件；"
    "工作人员默认每天收到一封待办汇总邮件。",
    press=("消息",),
    sources=("templates/base.html",),
)

_BATCH_SENT = Refusal(
    "铜梁区2026年11月中旬的岗位已报送，不能再修改；如需补报，请联系市人社局流动处重新开放。",
    "本旬岗位已报送到市人才中心，报送后本旬冻结。新岗位请在当前旬填报；确需补报原旬的，请联系市人社局流动处重新开放。",
    "的岗位已报送，不能再修改；如需补报，请联系市人社局流动处重新开放。",
    "positions/services.py",
)
_PENDING_REVIEW = Refusal(
    "尚有2个岗位待初审：请先逐个初审通过或退回修改，再报送2026年11月中旬的岗位。",
    "本旬还有岗位等待区县初审，初审人须先处理完这些岗位，才能报送。",
    "个岗位待初审：请先逐个初审通过或退回修改，再报送",
    "positions/services.py",
)
_NOT_STARTED = Refusal(
    "2026年12月上旬尚未开始，不能报送。",
    "旬报自该旬第一天起才能报送，请到该旬开始后再报送。",
    "尚未开始，不能报送。",
    "positions/services.py",
)
_HEADCOUNT = Refusal(
    "需求人数至少为1人。",
    "需求人数须为1至9999之间的整数。",
    'f"{self.label}至少为{self.min_value}{self.unit}。"',
    "portal/limits.py",
)
_DUPLICATE_PERSON = Refusal(
    "该身份证号码已在铜梁区登记为2026年启航专项引进人才，不能重复登记。",
    "同一人（按身份证号码）在同一专项、同一年度只能登记一次，无论在哪个区县。请核对身份证号码；确属重复的，不必再登记。",
    "专项引进人才，不能重复登记。",
    "referrals/services.py",
)
_CALENDAR_UNKNOWN = Refusal(
    "2027年的节假日安排尚未录入，无法计算该年的工作日（含调休）。请管理员在“年度节假日安排”中录入2027年的安排后重试。",
    "公示期按工作日计算（含调休）。该年度的国务院节假日安排尚未录入时，平台不计算工作日，请联系系统管理员录入。",
    "的节假日安排尚未录入，无法计算该年的工作日（含调休）。",
    "portal/calendar/workdays.py",
)
_START_IN_PAST = Refusal(
    "公示开始日期不能早于今天。",
    "公示须让公众看满5个工作日，开始日期只能是今天或以后。",
    "公示开始日期不能早于今天。",
    "referrals/services.py",
)
_NO_EXEMPT_RULE = Refusal(
    "请选择不公示所依据的规则。",
    "按规定不公示的人员，须选择系统管理员维护的不公示规则（可另填说明），由本区县初审人员办理。",
    "请选择不公示所依据的规则。",
    "referrals/services.py",
)
_PROGRAMME_FACTS = Refusal(
    "请填写毕业时间（启航）或工作经历（海聚）。",
    "未选择专项时，平台按事实判定：柔性引进为海聚；毕业时间在应届范围内为启航；否则或填有工作经历为海聚。两者都未填写时无法判定。",
    "请填写毕业时间（启航）或工作经历（海聚）。",
    "referrals/eligibility.py",
)
_REASON_NEEDED = Refusal(
    "退回修改须填写原因。",
    "退回、撤回等操作须写明原因，原因会告知对方。",
    'f"{move.label}须填写原因。"',
    "portal/workflow.py",
)
_WRONG_CODE = Refusal(
    "验证码错误或已使用，请等待下一个验证码。",
    "验证码每30秒更新一次、只能使用一次。请等手机上出现新的验证码后再输入；手机时间不准也会导致验证码错误。",
    "验证码错误或已使用，请等待下一个验证码。",
    "portal/two_factor/services.py",
)
_OVER_CAP = Refusal(
    "张三的申请金额35,000.00元超过“揭榜招贤”补助上限30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）。",
    "每人的申请金额不能超过该渠道的补助上限：揭榜招贤每人最高30,000元，引才专项每人最高4,000元。",
    "补助上限",
    "subsidies/services.py",
)
_ALREADY_CLAIMED = Refusal(
    "张三已在其他有效申报中，同一人员只能申报一次补助。",
    "每名引进人才只能获得一次引才补助。草稿、待审、已核定、已发放的申报都占用该人员；被撤回或不予支持的申报才释放。",
    "已在其他有效申报中，同一人员只能申报一次补助。",
    "subsidies/services.py",
)


def _refusal_if_wrong_state(what: str, source: str, fragment: str) -> Refusal:
    return Refusal(
        f"{what}当前状态为“已报送市人才中心”，不能修改。",
        "只有草稿或被退回的记录才能修改；已提交的记录请等待审核结果，被退回后再修改。",
        fragment,
        source,
    )


# ---- the guides ----------------------------------------------------------------------------------------------------

DISTRICT_CLERK = Guide(
    Role.DISTRICT_CLERK,
    "区县经办人操作指南",
    "您负责本区县岗位需求的征集填报（附件1）、实际到岗人员的登记（附件3数据）、公示的发布和异议的处理。"
    "您只能看到和办理本区县的记录。工作按旬（上旬1–10日、中旬11–20日、下旬21日至月末）进行：每旬征集岗位、每旬登记到岗人员，"
    "由区县初审人报送市人才中心。",
    (
        Section("开始使用", "随时", (_SIGN_IN_PLAIN, _INBOX)),
        Section(
            "每旬：征集并填报岗位需求（附件1）",
            "每旬内随时填报；本旬岗位由初审人在旬内报送",
            (
                Step(
                    "district_batch",
                    "打开本旬岗位",
                    "positions:district_batch",
                    "点击工作菜单“岗位填报”，页面显示本区县当前旬的岗位旬报和每个岗位的状态。新建的岗位归入其创建时所在旬的旬报。",
                    press=("岗位填报",),
                    sources=("portal/web/navigation.py",),
                ),
                Step(
                    "position_create",
                    "逐个新增岗位",
                    "positions:create",
                    "点击“新增岗位”，按附件1逐项填写：用人单位（选择本区县的单位，或新增单位并填写统一社会信用代码）、渠道"
                    "（揭榜招贤或引才专项）、岗位名称、需求人数、学历要求、专业要求、职业能力要求、是否招聘应届生、薪资范围等。填好后点击“保存草稿”；草稿可随时修改。",
                    press=("新增岗位", "保存草稿"),
                    sources=("templates/positions/district_batch.html", "templates/positions/form.html"),
                ),
                Step(
                    "position_import",
                    "或从Excel批量导入",
                    "positions:import",
                    "岗位较多时，点击“导入Excel”，先“下载空白表格（附件1格式）”，按表头填好后“上传并预览”；"
                    "核对预览无误后点击“确认导入”。有错误的行会逐行列出原因，整张表修改后重新上传，不会只导入一部分。",
                    press=("导入Excel", "下载空白表格", "上传并预览", "确认导入"),
                    sources=(
                        "templates/positions/district_batch.html",
                        "templates/positions/import.html",
                        "templates/portal/import.html",
                    ),
                ),
                Step(
                    "position_submit",
                    "提交初审",
                    "positions:district_batch",
                    "打开岗位，核对无误后点击“提交初审”，岗位进入“待初审”，由本区县初审人审核。被退回的岗位（“已退回”）"
                    "按退回原因修改后再次“提交初审”。",
                    press=("提交初审",),
                    sources=("positions/workflow.py",),
                    shot=False,
                ),
                Step(
                    "proposal_queue",
                    "采纳或退回单位提出的岗位需求",
                    "positions:proposal_queue",
                    "本区县用人单位也可在平台上提出本单位的岗位需求。点击工作菜单“单位岗位需求”，逐条核对：可以采纳的点击“采纳”，"
                    "表单已按单位填写的内容预填，可修改，点击“采纳并保存为草稿”后作为本旬岗位草稿，再“提交初审”；"
                    "不宜采纳的填写原因后点击“退回”，单位可修改后重新提出。",
                    press=("单位岗位需求", "采纳", "采纳并保存为草稿", "退回"),
                    sources=(
                        "portal/web/navigation.py",
                        "templates/positions/proposal_queue.html",
                        "templates/positions/proposal_adopt.html",
                    ),
                    shot=False,
                ),
            ),
        ),
        Section(
            "人员到岗后：登记实际到岗人员",
            "人员实际到岗后及时登记；本旬确认的人员随下一次旬报上报",
            (
                Step(
                    "hire_list",
                    "打开引进人才",
                    "referrals:hire_list",
                    "点击工作菜单“引进人才”，列出本区县登记的到岗人员及其状态（待初审、初审通过、公示中、已确认等）。",
                    press=("引进人才",),
                    sources=("portal/web/navigation.py",),
                ),
                Step(
                    "hire_create",
                    "登记到岗人员",
                    "referrals:hire_create",
                    "点击“登记到岗人员”，选择本区县已发布（或已关闭）的岗位，填写姓名、身份证号码、引进方式（全职或柔性）、"
                    "劳动合同期限、入职时间、学历、毕业院校、专业等；启航专项须填写毕业时间，海聚专项须填写工作经历；"
                    "由第三方机构推荐的，在“荐才第三方”中选择该机构。"
                    "点击“保存”，或“保存并继续登记”下一位。人员较多时可在列表页“导入Excel”。",
                    press=("登记到岗人员", "保存", "保存并继续登记", "导入Excel"),
                    sources=("templates/referrals/hire_list.html", "templates/referrals/hire_form.html"),
                ),
                Step(
                    "hire_resubmit",
                    "修改被退回的人员",
                    "referrals:hire_list",
                    "初审人退回的人员显示为“已退回”，点击“修改”按退回原因更正，再点击“重新提交”。",
                    press=("修改", "重新提交"),
                    sources=("templates/referrals/hire_list.html", "referrals/workflow.py"),
                    shot=False,
                ),
            ),
        ),
        Section(
            "初审通过后：公示5个工作日",
            "发布当天为工作日的，当天算第1天；公示至第5个工作日结束",
            (
                Step(
                    "notice_publish",
                    "发布公示",
                    "referrals:notice_publish",
                    "在“引进人才”页点击“发布公示”，勾选初审通过的人员，填写公示开始日期（不能早于今天）和公示标题，"
                    "点击“发布公示”。公众在“公示”栏目看到姓名、单位、岗位、学历、院校，不显示身份证号码。公示期满且无异议的人员，"
                    "由平台每15分钟自动转为“已确认”。按规定不公示的人员，由本区县初审人员办理。",
                    press=("发布公示",),
                    sources=("templates/referrals/hire_list.html", "templates/referrals/notice_publish.html"),
                ),
                Step(
                    "objection_queue",
                    "处理异议",
                    "referrals:objection_queue",
                    "公示期间公众提出的异议在“异议处理”中列出。调查核实后填写处理意见，点击“异议成立”（该人员引进不成立，且不能申报补助）"
                    "或“异议不成立”。有未处理或成立的异议的人员，公示期满也不会确认；公示期满后最后一条异议被认定不成立时，该人员立即确认。",
                    press=("异议处理", "异议成立", "异议不成立"),
                    sources=("templates/referrals/hire_list.html", "templates/referrals/objection_queue.html"),
                ),
            ),
        ),
    ),
    rules=(
        "您只能为本区县的用人单位填报岗位，只能办理本区县的记录。",
        "需求人数为1至9999之间的整数。",
        "岗位只有在“草稿”或“已退回”状态才能修改；到岗人员只有在“待初审”或“已退回”状态才能修改。",
        "只能为已发布（或已发布后关闭）的岗位登记到岗人员。",
        "同一人（按身份证号码）同一专项、同一年度只能登记一次，全市各区县通查。",
        "公示期为5个工作日，按国家法定节假日和调休安排计算；公示开始日期不能早于今天。",
        "列表中的身份证号码只显示前6位和后4位；需要时点击“显示完整号码”，每次查看都会留痕。",
    ),
    refusals=(
        _BATCH_SENT,
        _HEADCOUNT,
        _refusal_if_wrong_state("岗位", "positions/services.py", "岗位当前状态为"),
        Refusal(
            "只能为已发布的岗位登记到岗人员。",
            "所选岗位尚未经市人社局流动处复核发布。请选择已发布的岗位，或等待岗位发布后再登记。",
            "只能为已发布的岗位登记到岗人员。",
            "referrals/services.py",
        ),
        _DUPLICATE_PERSON,
        _PROGRAMME_FACTS,
        _START_IN_PAST,
        _CALENDAR_UNKNOWN,
        Refusal(
            "请填写处理意见。",
            "处理异议须写明调查核实的意见。",
            "请填写处理意见。",
            "referrals/services.py",
        ),
    ),
)

DISTRICT_REVIEWER = Guide(
    Role.DISTRICT_REVIEWER,
    "区县初审人操作指南",
    "您负责本区县岗位和到岗人员的初审，每旬向市人才中心报送本区县的岗位旬报和入职结果旬报；也可以发布公示、处理异议。"
    "旬按上旬（1–10日）、中旬（11–20日）、下旬（21日至月末）划分，旬报应在该旬结束前报送。",
    (
        Section("开始使用", "随时", (_SIGN_IN_PLAIN, _INBOX)),
        Section(
            "每旬：初审岗位并报送岗位旬报",
            "该旬第一天起可报送；应在该旬结束前报送（按时），没有岗位也报送零报告",
            (
                Step(
                    "district_batch",
                    "初审本旬岗位",
                    "positions:district_batch",
                    "点击工作菜单“岗位填报”。逐个打开“待初审”的岗位，核对后点击“初审通过”，或填写原因后“退回修改”。"
                    "内容无误的多个岗位可勾选后“批量初审通过”。",
                    press=("岗位填报", "初审通过", "退回修改", "批量初审通过"),
                    sources=(
                        "portal/web/navigation.py",
                        "positions/workflow.py",
                        "templates/positions/district_batch.html",
                    ),
                ),
                Step(
                    "batch_send",
                    "报送岗位旬报",
                    "positions:district_batch",
                    "本旬岗位全部初审后，在同一页点击“报送……岗位”按钮（如“报送2026年11月中旬岗位（3个）”）；本旬没有岗位的，"
                    "按钮为“报送……零报告（无岗位）”。初审通过的岗位报送到市人才中心；草稿和被退回的岗位转入下一旬。报送后本旬冻结。",
                    press=("报送{{ period.label }}岗位", "零报告（无岗位）"),
                    sources=("templates/positions/_batch_send.html",),
                    shot=False,
                ),
            ),
        ),
        Section(
            "人员到岗后：初审、公示、异议",
            "随到随审；公示5个工作日",
            (
                Step(
                    "hire_list",
                    "初审到岗人员",
                    "referrals:hire_list",
                    "点击工作菜单“引进人才”，对“待初审”的人员点击“初审通过”，或填写原因后“退回”由经办人修改。",
                    press=("引进人才", "初审通过", "退回"),
                    sources=("portal/web/navigation.py", "templates/referrals/hire_list.html"),
                ),
                Step(
                    "notice_publish",
                    "发布公示或按规定不公示",
                    "referrals:notice_publish",
                    "点击“发布公示”，勾选初审通过的人员，填写公示开始日期和标题后点击“发布公示”；按规定不公示的，"
                    "选择“不公示规则”（可填写“不公示说明”）后点击“按规定不公示并确认”。",
                    press=("发布公示", "按规定不公示并确认"),
                    sources=("templates/referrals/notice_publish.html",),
                ),
                Step(
                    "objection_queue",
                    "处理异议",
                    "referrals:objection_queue",
                    "在“异议处理”中填写处理意见，点击“异议成立”或“异议不成立”。",
                    press=("异议处理", "异议成立", "异议不成立"),
                    sources=("templates/referrals/hire_list.html", "templates/referrals/objection_queue.html"),
                ),
            ),
        ),
        Section(
            "每旬：报送入职结果旬报",
            "每旬一次，应在该旬结束前报送；逾期仍可报送，标为“逾期”",
            (
                Step(
                    "report_district",
                    "报送入职结果旬报",
                    "referrals:report_district",
                    "点击工作菜单“入职旬报”，页面列出本区县上次报送以来确认的人员。核对后点击“报送……入职结果”；"
                    "没有新确认人员的，按钮为零报告。每旬只能报送一次。",
                    press=("入职旬报", "报送{{ period.label }}入职结果"),
                    sources=("portal/web/navigation.py", "templates/referrals/report_district.html"),
                ),
                Step(
                    "rollup_list",
                    "查看旬汇总",
                    "rollups:rollup_list",
                    "每旬结束后，平台在1日、11日、21日凌晨生成全市旬汇总。点击工作菜单“旬汇总”，查看本区县的数据和全市平均水平。",
                    press=("旬汇总",),
                    sources=("portal/web/navigation.py",),
                ),
            ),
        ),
    ),
    rules=(
        "尚有“待初审”的岗位时不能报送岗位旬报；尚未开始的旬不能报送。",
        "岗位旬报报送后冻结，只有市人社局流动处可以填写原因后重新开放。",
        "入职结果旬报每个区县每旬只报送一次；没有新确认人员的报送零报告。",
        "退回须填写原因，原因会显示给经办人。",
    ),
    refusals=(
        _PENDING_REVIEW,
        _NOT_STARTED,
        Refusal(
            "该旬报已报送，请勿重复报送。",
            "本旬岗位旬报已经报送过，无需再次报送。",
            "该旬报已报送，请勿重复报送。",
            "positions/services.py",
        ),
        Refusal(
            "铜梁区2026年11月中旬的入职结果已报送，不能重复报送。",
            "本旬入职结果旬报已经报送过；之后确认的人员将随下一旬报送。",
            "的入职结果已报送，不能重复报送。",
            "referrals/services.py",
        ),
        _REASON_NEEDED,
        _START_IN_PAST,
        _CALENDAR_UNKNOWN,
        _NO_EXEMPT_RULE,
    ),
)

TALENT_CENTRE = Guide(
    Role.TALENT_CENTRE,
    "市人才中心操作指南",
    "您负责汇总各区县每旬报送的岗位（汇总后交市人社局流动处复核发布），核验自行注册的第三方荐才机构（个人），"
    "并对引才补助申报进行初审。您可以查看全市41个区县的记录。登录须输入手机身份验证器的验证码。",
    (
        Section("开始使用", "随时", (_SIGN_IN_SECOND_FACTOR, _INBOX)),
        Section(
            "每旬：汇总区县岗位",
            "各区县在旬内报送；您在报送后汇总",
            (
                Step(
                    "city_batches",
                    "汇总各区县岗位旬报",
                    "positions:city_batches",
                    "点击工作菜单“岗位汇总”，按旬查看41个区县的报送情况（已报送、零报告、未报送）。核对已报送的岗位后点击“汇总”"
                    "（可勾选后批量办理）；有问题的岗位填写原因后“退回区县”。",
                    press=("岗位汇总", "汇总", "退回区县"),
                    sources=(
                        "portal/web/navigation.py",
                        "positions/workflow.py",
                        "templates/positions/city_batches.html",
                    ),
                ),
            ),
        ),
        Section(
            "随时：核验第三方注册",
            "第三方注册后",
            (
                Step(
                    "third_party_list",
                    "核验第三方荐才机构（个人）",
                    "portal:third_party_list",
                    "点击工作菜单“第三方核验”，打开“待核验”的注册，核对统一社会信用代码（或身份证号码）、联系人、开户银行和账号，"
                    "点击“核验通过”；材料有误的，填写原因后点击“退回补正”再“确认退回”。只有核验通过的第三方才能申报补助。",
                    press=("第三方核验", "核验通过", "退回补正", "确认退回"),
                    sources=("portal/web/navigation.py", "templates/portal/third_party_list.html"),
                ),
            ),
        ),
        Section(
            "随时：初审引才补助申报",
            "平台承诺初审10个工作日内办结",
            (
                Step(
                    "review_queue",
                    "打开待初审的申报",
                    "subsidies:review_queue",
                    "点击工作菜单“补助审核”，在待初审列表中点击“办理”。",
                    press=("补助审核", "办理"),
                    sources=("portal/web/navigation.py", "templates/subsidies/review_queue.html"),
                ),
                Step(
                    "review_claim",
                    "审核并填写意见",
                    "subsidies:review_queue",
                    "核对申报的人员、金额和上传的附件2、附件3扫描件（可点击“附件2 PDF”“附件3 PDF”查看平台生成的表格），"
                    "填写审核意见后点击“初审通过”“退回修改”或“不予支持”。每项决定都须填写意见，意见会告知申报人。",
                    press=("附件2 PDF", "附件3 PDF", "初审通过", "退回修改", "不予支持"),
                    sources=(
                        "templates/subsidies/review_claim.html",
                        "templates/subsidies/_annex_links.html",
                        "subsidies/workflow.py",
                    ),
                    shot=False,
                ),
            ),
        ),
        Section(
            "每旬和年度：统计",
            "每旬结束后；12月年度评估",
            (
                Step(
                    "dashboard",
                    "统计看板",
                    "rollups:dashboard",
                    "点击工作菜单“统计看板”，查看年度目标完成进度、区县排名、补助发放等。“旬汇总”和“年度评估”提供可下载的表格。",
                    press=("统计看板", "旬汇总", "年度评估"),
                    sources=("portal/web/navigation.py",),
                ),
            ),
        ),
    ),
    rules=(
        "登录须输入手机身份验证器的6位验证码，验证码只能使用一次。",
        "同一申报的初审人和复核人必须是不同的人。",
        "初审的每项决定都须填写意见。",
        "两人同时办理同一申报时，只有先提交的一人生效，另一人会看到申报已进入下一环节。",
    ),
    refusals=(
        _WRONG_CODE,
        Refusal(
            "初审通过须填写原因。",
            "初审的每项决定（初审通过、退回修改、不予支持）都须在意见栏写明意见，意见会告知申报人并印在附件2上。",
            'f"{move.label}须填写原因。"',
            "portal/workflow.py",
        ),
        _REASON_NEEDED,
    ),
)

BUREAU_REVIEWER = Guide(
    Role.BUREAU_REVIEWER,
    "市人社局流动处操作指南",
    "您负责复核发布市人才中心汇总的岗位，必要时重新开放区县已报送的旬报；对初审通过的引才补助申报进行复核、核定金额，"
    "并登记资金发放；年末开展区县评估考核。登录须输入手机身份验证器的验证码。",
    (
        Section("开始使用", "随时", (_SIGN_IN_SECOND_FACTOR, _INBOX)),
        Section(
            "每旬：复核发布岗位",
            "市人才中心汇总后",
            (
                Step(
                    "city_batches",
                    "复核发布岗位",
                    "positions:city_batches",
                    "点击工作菜单“岗位汇总”，对“已汇总待复核”的岗位点击“复核发布”，岗位即出现在公众的岗位榜单上；"
                    "有问题的填写原因后“退回区县”。区县需要补报已报送的旬时，填写原因后点击“重新开放”。",
                    press=("岗位汇总", "复核发布", "退回区县", "重新开放"),
                    sources=(
                        "portal/web/navigation.py",
                        "positions/workflow.py",
                        "templates/positions/city_batches.html",
                    ),
                ),
            ),
        ),
        Section(
            "随时：复核核定补助并登记发放",
            "平台承诺复核10个工作日、发放15个工作日内办结",
            (
                Step(
                    "review_queue",
                    "打开待复核的申报",
                    "subsidies:review_queue",
                    "点击工作菜单“补助审核”，在待复核列表中点击“办理”。",
                    press=("补助审核", "办理"),
                    sources=("portal/web/navigation.py", "templates/subsidies/review_queue.html"),
                ),
                Step(
                    "review_claim",
                    "复核并核定金额",
                    "subsidies:review_queue",
                    "逐人填写核定金额（不超过申请金额），填写意见后点击“复核核定”；也可“退回修改”或“不予支持”。"
                    "初审该申报的人不能复核同一申报。",
                    press=("复核核定", "退回修改", "不予支持"),
                    sources=("subsidies/workflow.py",),
                    shot=False,
                ),
                Step(
                    "review_pay",
                    "登记发放",
                    "subsidies:review_queue",
                    "资金拨付后，在待发放列表中打开申报，填写发放日期和支付凭证号，点击“登记发放”。发放日期不能晚于今天，也不能早于复核核定日期。",
                    press=("登记发放",),
                    sources=("templates/subsidies/review_claim.html",),
                    shot=False,
                ),
            ),
        ),
        Section(
            "12月：年度评估考核",
            "每年12月",
            (
                Step(
                    "evaluation",
                    "年度评估",
                    "rollups:evaluation",
                    "点击工作菜单“年度评估”，选择年度，查看各区县需求征集、引进数量、结构、资金和政策落实情况，可下载Excel。",
                    press=("年度评估",),
                    sources=("portal/web/navigation.py",),
                ),
            ),
        ),
    ),
    rules=(
        "登录须输入手机身份验证器的6位验证码。",
        "核定金额逐人填写，不超过申请金额；申请金额本身不超过上限：揭榜招贤每人30,000元，引才专项每人4,000元。",
        "初审人与复核人必须是不同的人，平台在复核时自动校验。",
        "发放日期不能晚于今天，也不能早于复核核定日期；须填写支付凭证号。",
        "只有市人社局流动处可以重新开放已报送的旬报，且须填写原因。",
    ),
    refusals=(
        _WRONG_CODE,
        Refusal(
            "请逐人核定激励金额。",
            "复核核定时每名人员都须填写核定金额。",
            "请逐人核定激励金额。",
            "subsidies/services.py",
        ),
        Refusal(
            "张三的核定金额35,000.00元不能超过申请金额30,000.00元。",
            "核定金额只能等于或少于申报人申请的金额。",
            "不能超过申请金额",
            "subsidies/services.py",
        ),
        Refusal("请填写支付凭证号。", "登记发放须填写银行支付凭证号。", "请填写支付凭证号。", "subsidies/services.py"),
        Refusal("发放日期不能晚于今天。", "请填写实际发放的日期。", "发放日期不能晚于今天。", "subsidies/services.py"),
        Refusal(
            "发放日期不能早于复核核定日期。",
            "发放在复核核定之后，请核对发放日期。",
            "发放日期不能早于复核核定日期。",
            "subsidies/services.py",
        ),
        Refusal(
            "重新开放旬报须填写原因。",
            "重新开放已报送的旬报须写明原因，区县会看到。",
            "重新开放旬报须填写原因。",
            "positions/services.py",
        ),
    ),
)

EMPLOYER = Guide(
    Role.EMPLOYER,
    "用人单位操作指南",
    "由第三方荐才机构（个人）推荐引进到贵单位的人员，须由贵单位在线确认（即附件3的确认），第三方才能申报引才补助。"
    "贵单位自行引进的人员无需确认。贵单位还可以向所在区县提出本单位的岗位需求，由区县采纳后纳入岗位填报。",
    (
        Section(
            "开始使用",
            "随时",
            (
                Step(
                    "login",
                    "登录平台",
                    "login",
                    "在登录页填写用户名（也可填写单位的统一社会信用代码）和密码，点击“登录”。",
                    press=("登录",),
                    sources=("templates/registration/login.html",),
                ),
                _INBOX,
            ),
        ),
        Section(
            "随时：向所在区县提出岗位需求",
            "随时；区县按旬采纳",
            (
                Step(
                    "proposal_create",
                    "提出岗位需求",
                    "positions:proposal_create",
                    "点击工作菜单“我的岗位需求”，再点“提出岗位需求”，按附件1填写本单位的一个岗位：渠道（揭榜招贤或引才专项）、"
                    "岗位名称、需求人数、学历要求、专业要求、职业能力要求、是否招聘应届生、薪资范围。点击“提交”，"
                    "或“提交并继续填写”下一个岗位。岗位需求提交给贵单位所在区县。",
                    press=("我的岗位需求", "提出岗位需求", "提交", "提交并继续填写"),
                    sources=(
                        "portal/web/navigation.py",
                        "templates/positions/proposal_list.html",
                        "templates/positions/proposal_form.html",
                    ),
                    shot=False,
                ),
                Step(
                    "proposal_import",
                    "或上传岗位表",
                    "positions:proposal_import",
                    "岗位较多时，点击“上传岗位表”，先“下载空白表格”，每行填写一个本单位的岗位（“用人单位”填写本单位名称，"
                    "“填报来源”可不填），“上传并预览”后核对，点击“确认导入”一次提出。",
                    press=("上传岗位表", "下载空白表格", "上传并预览", "确认导入"),
                    sources=("templates/positions/proposal_list.html", "templates/portal/import.html"),
                    shot=False,
                ),
                Step(
                    "proposal_list",
                    "查看处理结果",
                    "positions:proposal_list",
                    "“我的岗位需求”列出每个岗位需求的状态：待区县处理、已采纳（附岗位的审核状态，发布后可查看榜单上的岗位）、"
                    "已退回（附原因）。被退回的点击“修改后重新提出”；尚未采纳的可以“撤回”。",
                    press=("修改后重新提出", "撤回"),
                    sources=("templates/positions/proposal_list.html",),
                    shot=False,
                ),
            ),
        ),
        Section(
            "人员公示后：确认第三方推荐的人员",
            "区县登记并初审后",
            (
                Step(
                    "employer_hires",
                    "确认或不予确认",
                    "referrals:employer_hires",
                    "在“我的工作台”点击“待确认的引进人才”，核对人员确由该第三方推荐、已实际到岗，点击“确认”；不属实的，"
                    "填写原因后点击“不予确认”。不予确认的人员以后仍可改为确认。确认结果会通知第三方。",
                    press=("待确认的引进人才", "确认", "不予确认"),
                    sources=("referrals/queues.py", "templates/referrals/employer_hires.html"),
                ),
            ),
        ),
    ),
    rules=(
        "只有第三方推荐引进的人员需要确认；公示异议成立的人员不能确认。",
        "不予确认须填写原因。",
        "第三方申报时还须上传贵单位盖章的附件3（确认表）扫描件。",
    ),
    refusals=(
        Refusal(
            "您的单位尚未登记所在区县，请联系系统管理员。",
            "岗位需求提交给单位所在区县；所在区县由系统管理员登记，登记后即可提出。",
            "您的单位尚未登记所在区县，请联系系统管理员。",
            "positions/proposals.py",
        ),
        Refusal(
            "您已提出“揭榜招贤”岗位需求“……”，正等待铜梁区处理，无需重复提出。",
            "同一岗位正等待区县处理时不能重复提出；被退回的请修改后重新提出。",
            "无需重复提出",
            "positions/proposals.py",
        ),
        Refusal(
            "请填写不予确认的原因。",
            "不予确认须写明原因，原因会告知第三方。",
            "请填写不予确认的原因。",
            "referrals/services.py",
        ),
        Refusal(
            "该人员公示异议成立，不能确认。",
            "该人员在公示期间异议成立，引进不成立，不能确认，也不能申报补助。",
            "该人员公示异议成立，不能确认。",
            "referrals/services.py",
        ),
    ),
)

THIRD_PARTY = Guide(
    Role.THIRD_PARTY,
    "第三方荐才机构（个人）操作指南",
    "人力资源服务机构、社会组织或个人通过揭榜招贤、引才专项为用人单位引进卓越工程师的，可申报引才补助：揭榜招贤每人最高30,000元，"
    "引才专项每人最高4,000元（渝人社发〔2022〕50号）。您须先注册并经市人才中心核验。",
    (
        Section(
            "第一步：注册并等待核验",
            "申报前",
            (
                Step(
                    "register",
                    "注册",
                    "portal:register",
                    "机构按统一社会信用代码、个人按身份证号码注册，填写联系人、电话、开户银行和账号，设置登录用户名和密码，点击“提交注册”。"
                    "市人才中心核验通过后即可申报；退回补正的，在“注册信息”中修改后点击“修改后重新提交”。",
                    press=("提交注册", "注册信息", "修改后重新提交"),
                    sources=(
                        "templates/portal/register.html",
                        "portal/web/navigation.py",
                        "templates/portal/registration_details.html",
                    ),
                ),
                Step(
                    "public_list",
                    "查看岗位榜单",
                    "positions:public_list",
                    "在“岗位榜单”中查找已发布的岗位，按岗位要求为用人单位推荐人才。",
                    press=("岗位榜单",),
                    sources=("portal/web/navigation.py",),
                ),
            ),
        ),
        Section(
            "人员到岗后：跟进进度",
            "区县登记、公示5个工作日、用人单位确认",
            (
                Step(
                    "introduced_hires",
                    "我推荐的人才",
                    "subsidies:introduced_hires",
                    "点击工作菜单“我推荐的人才”，查看区县登记时注明由您推荐的人员及其进度：已登记、已审核、公示中、待单位确认、"
                    "已确认、可申报、已申报。显示“可申报”的人员点击“去申报”。",
                    press=("我推荐的人才", "去申报"),
                    sources=("portal/web/navigation.py", "templates/subsidies/introduced_hires.html"),
                ),
            ),
        ),
        Section(
            "申报引才补助（附件2、附件3）",
            "人员经公示确认且用人单位确认后；平台承诺初审10、复核10、发放15个工作日",
            (
                Step(
                    "claim_list",
                    "新建申报",
                    "subsidies:claim_list",
                    "点击工作菜单“补助申报”，再点击“新建申报”。一份申报对应一个用人单位，可包含该单位的多名人员。",
                    press=("补助申报", "新建申报"),
                    sources=("portal/web/navigation.py", "templates/subsidies/claim_list.html"),
                ),
                Step(
                    "claim_create",
                    "填写申请金额",
                    "subsidies:claim_create",
                    "勾选人员，逐人填写申请金额（如30000），填写用人单位联系人和联系电话，点击“保存”。保存草稿后这些人员即被本申报占用。",
                    press=("保存",),
                    sources=("templates/subsidies/claim_form.html",),
                ),
                Step(
                    "claim_submit",
                    "下载、盖章、上传并提交",
                    "subsidies:claim_list",
                    "在申报页点击“下载申报表（附件2）”“下载确认表（附件3）”，打印后附件2由本机构签字盖章、附件3由用人单位盖章，"
                    "扫描后逐份“上传”（PDF、JPG或PNG，不超过10MB）。勾选申报表中的三项承诺，点击“提交申报”。"
                    "审核前可“撤回申报”；被退回的，按意见“修改”后重新提交。",
                    press=("下载申报表（附件2）", "下载确认表（附件3）", "上传", "提交申报", "撤回申报", "修改"),
                    sources=("templates/subsidies/claim_detail.html", "templates/subsidies/_annex_links.html"),
                ),
            ),
        ),
    ),
    rules=(
        "只有经市人才中心核验通过的第三方才能申报。",
        "申报的人员须由您推荐、在本次申报的用人单位、经公示确认（或按规定不公示）并经用人单位确认。",
        "每人申请金额大于0且不超过上限：揭榜招贤30,000元，引才专项4,000元；金额填写到分。",
        "同一人员只能获得一次补助；公示异议成立的人员不能申报。",
        "申报的用人单位不能更改；其他单位的人员请另行申报。",
        "提交前须勾选三项承诺，并上传签章的附件2和附件3扫描件。",
    ),
    refusals=(
        Refusal(
            "您的账号尚未通过市人才中心核验，核验后方可申报。",
            "注册信息尚在核验或被退回补正，请在“注册信息”中查看。",
            "您的账号尚未通过市人才中心核验，核验后方可申报。",
            "subsidies/services.py",
        ),
        _OVER_CAP,
        _ALREADY_CLAIMED,
        Refusal(
            "张三尚未经公示确认（当前状态：公示中），不能申报。",
            "人员须公示期满无异议（或按规定不公示）确认后才能申报，请等待。",
            "尚未经公示确认（当前状态：",
            "subsidies/services.py",
        ),
        Refusal(
            "张三尚未经用人单位确认（待单位确认），不能申报。",
            "请联系用人单位在平台上确认该人员。",
            "尚未经用人单位确认（",
            "subsidies/services.py",
        ),
        Refusal(
            "请阅读并勾选申报表中的三项承诺。",
            "提交前须勾选三项承诺。",
            "请阅读并勾选申报表中的三项承诺。",
            "subsidies/services.py",
        ),
        Refusal(
            "请先上传：附件2申报表（签字盖章）、附件3确认表（单位盖章）。",
            "提交前须上传签章后的附件2和附件3扫描件。",
            "请先上传：",
            "subsidies/services.py",
        ),
        Refusal(
            "申报的用人单位不能更改；如需申报其他单位的人员，请另行申报。",
            "一份申报只对应一个用人单位。",
            "申报的用人单位不能更改；如需申报其他单位的人员，请另行申报。",
            "subsidies/services.py",
        ),
    ),
)

ADMIN = Guide(
    Role.ADMIN,
    "系统管理员操作指南",
    "您负责账号、区县、用人单位、节假日安排、补助上限和年度目标等基础数据，以及批量导入、双因素认证重置和数据保留。"
    "登录须输入手机身份验证器的验证码。",
    (
        Section("开始使用", "随时", (_SIGN_IN_SECOND_FACTOR,)),
        Section(
            "每年11月起：录入下一年度节假日安排",
            "国务院发布下一年度节假日安排后",
            (
                Step(
                    "admin_index",
                    "系统管理",
                    "admin:index",
                    "点击工作菜单“系统管理”。在“年度节假日安排”中录入下一年度（附国务院通知），在“工作日调整”中录入调休上班日和放假日。"
                    "未录入的年度，平台拒绝计算公示期。在“引才补助上限”中按政策维护上限（生效起止日期、政策文号）。",
                    press=("系统管理",),
                    sources=("portal/web/navigation.py",),
                ),
            ),
        ),
        Section(
            "随时：第三方核验",
            "第三方注册后",
            (
                Step(
                    "third_party_list",
                    "核验第三方",
                    "portal:third_party_list",
                    "与市人才中心相同：点击“第三方核验”，核对后“核验通过”或“退回补正”。",
                    press=("第三方核验", "核验通过", "退回补正"),
                    sources=("portal/web/navigation.py", "templates/portal/third_party_list.html"),
                ),
            ),
        ),
    ),
    rules=(
        "补助上限是带生效日期的数据：同一渠道同一天只能有一条生效的上限。",
        "工作流记录（岗位、旬报、人员、公示、异议、第三方）不能在管理后台删除，只能通过业务流程变更。",
    ),
    refusals=(
        _CALENDAR_UNKNOWN,
        Refusal(
            "2026年12月5日没有生效的“揭榜招贤”补助上限，请管理员先维护补助上限。",
            "补助上限表在该日期没有生效记录，请在“引才补助上限”中补录。",
            "补助上限，请管理员先维护补助上限。",
            "portal/models/money.py",
        ),
    ),
)

PUBLIC_GUIDE = Guide(
    PUBLIC,
    "社会公众操作指南",
    "无需登录即可查看已发布的岗位榜单、引进人才公示，对公示人员提出异议，以及核验平台出具的申报表、确认表。",
    (
        Section(
            "查看岗位榜单",
            "岗位经市人社局流动处复核后发布",
            (
                Step(
                    "public_list",
                    "岗位榜单",
                    "positions:public_list",
                    "点击导航栏“岗位榜单”，按渠道（揭榜招贤、引才专项）、区县、学历或关键词查找岗位，点击“搜索”；可“导出Excel”。",
                    press=("岗位榜单", "搜索", "导出Excel"),
                    sources=("portal/web/navigation.py", "templates/positions/public_list.html"),
                ),
            ),
        ),
        Section(
            "查看公示并提出异议",
            "公示期为5个工作日，期满后公示不再公开显示",
            (
                Step(
                    "publicity_list",
                    "公示",
                    "referrals:publicity_list",
                    "点击导航栏“公示”，打开正在公示的通知，查看人员姓名、单位、岗位、学历和毕业院校；可“打印公示（PDF）”。",
                    press=("公示", "打印公示（PDF）"),
                    sources=("portal/web/navigation.py", "templates/referrals/publicity_detail.html"),
                ),
                Step(
                    "objection",
                    "提出异议",
                    "referrals:publicity_list",
                    "公示期内，在公示页面选择被异议人员，填写真实姓名、联系电话和异议事实和理由（至少10个字），点击“提交异议”，"
                    "请记下回执编号。公示页面也列出区县受理异议的地址和电话。",
                    press=("提交异议",),
                    sources=("templates/referrals/publicity_detail.html",),
                    shot=False,
                ),
            ),
        ),
        Section(
            "核验纸质文件",
            "随时",
            (
                Step(
                    "verify",
                    "文件核验",
                    "subsidies:verify_form",
                    "申报表、确认表每页印有核验码和二维码。点击页脚“文件核验”，输入核验码后点击“核验”，"
                    "可确认该文件由本平台出具及其办理结果（不显示个人信息）。",
                    press=("文件核验", "核验"),
                    sources=("templates/base.html", "templates/subsidies/verify.html"),
                ),
            ),
        ),
    ),
    rules=(
        "异议须在公示期内提出，须填写真实姓名和联系电话，理由至少10个字。",
        "同一网络地址每小时最多提交5次异议。",
        "公示只显示姓名、单位、岗位、学历和毕业院校，不显示身份证号码。",
    ),
    refusals=(
        Refusal(
            "请具体说明异议的事实和理由（至少10个字）。",
            "请写明具体的事实和理由。",
            "请具体说明异议的事实和理由（至少10个字）。",
            "referrals/services.py",
        ),
        Refusal(
            "该人员不在公示期内，不能提出异议。",
            "公示已结束或尚未开始，异议只能在公示期内提出；请联系公示页面上的区县受理电话。",
            "该人员不在公示期内，不能提出异议。",
            "referrals/services.py",
        ),
        Refusal(
            "提交过于频繁，请一小时后再试。",
            "同一网络地址每小时最多提交5次，请稍后再试。",
            "提交过于频繁，请一小时后再试。",
            "referrals/views/public.py",
        ),
    ),
)

GUIDES: dict[str, Guide] = {
    guide.role: guide
    for guide in (
        DISTRICT_CLERK,
        DISTRICT_REVIEWER,
        TALENT_CENTRE,
        BUREAU_REVIEWER,
        EMPLOYER,
        THIRD_PARTY,
        ADMIN,
        PUBLIC_GUIDE,
    )
}
