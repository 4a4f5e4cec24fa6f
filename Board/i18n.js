// Anxin duty board: every visible string, in Chinese (default) and English, plus number and
// time formatting. Other files call Anxin.t("key", {param: value}) and never hold text of their own.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});

  const zh = {
    "app.title": "安心 值班看板",
    "app.brand": "安心值班",
    "nav.board": "看板",
    "nav.devices": "设备",
    "nav.outbox": "热线发件箱",
    "nav.silences": "静默",
    "nav.audit": "审计",
    "lang.switch": "English",
    "lang.switch.title": "Switch to English",
    "sound.on": "声音 开",
    "sound.off": "声音 关",
    "sound.title": "报警提示音（按优先级）",
    "sound.blocked": "点任意处启用声音",
    "wall.on": "退出大屏",
    "wall.off": "大屏",
    "wall.title": "大屏模式（隐藏导航和按钮）",
    "stream.open": "实时",
    "stream.connecting": "连接中…",
    "stream.down": "已断开，重连中…",
    "user.anonymous": "未登录（{role}）",
    "user.login": "登录",
    "user.logout": "退出",
    "role.viewer": "只读",
    "role.oncall": "值班",
    "role.admin": "管理员",
    "role.none": "无权限",

    "severity.critical": "危急",
    "severity.urgent": "紧急",
    "severity.warning": "警告",
    "severity.info": "提示",
    "state.open": "待处理",
    "state.acknowledged": "已确认",
    "state.resolved": "已解决",
    "state.cancelled": "误报取消",

    "rule.sos": "SOS呼叫",
    "rule.fall": "跌倒",
    "rule.heart_rate_high": "心率过快",
    "rule.heart_rate_low": "心率过慢",
    "rule.bp_high": "血压过高",
    "rule.bp_crisis": "高血压危象",
    "rule.bp_low": "血压过低",
    "rule.spo2_low": "血氧偏低",
    "rule.spo2_critical": "血氧危急",
    "rule.device_silent": "设备无信号",
    "rule.bed_exit_night": "夜间离床未归",
    "rule.geofence_exit": "离开安全区域",
    "rule.low_battery": "电量低",
    "rule.not_worn": "未佩戴",
    "rule.power_off": "设备关机",
    "rule.ingest_outage": "数据接入中断",

    "event.sos": "SOS按键",
    "event.fall": "跌倒",
    "event.bed_exit": "离床",
    "event.not_worn": "未佩戴",
    "event.low_battery": "电量低",
    "event.power_off": "关机",

    "kind.heart_rate": "心率",
    "kind.systolic": "收缩压",
    "kind.diastolic": "舒张压",
    "kind.spo2": "血氧",
    "kind.respiration_rate": "呼吸",
    "kind.body_temp": "体温",
    "kind.blood_glucose": "血糖",
    "kind.battery": "电量",
    "kind.steps": "步数",
    "kind.location": "位置",
    "kind.in_bed": "在床",
    "kind.worn": "佩戴",
    "unit.heart_rate": "次/分",
    "unit.systolic": "mmHg",
    "unit.diastolic": "mmHg",
    "unit.spo2": "%",
    "unit.respiration_rate": "次/分",
    "unit.body_temp": "℃",
    "unit.blood_glucose": "mmol/L",
    "unit.battery": "%",
    "unit.steps": "步",
    "bool.in_bed.true": "在床",
    "bool.in_bed.false": "离床",
    "bool.worn.true": "佩戴中",
    "bool.worn.false": "未佩戴",

    "flag.lives_alone": "独居",
    "flag.dementia": "认知障碍",
    "flag.bedridden": "卧床",
    "flag.wheelchair": "轮椅",
    "flag.hearing_impaired": "听力障碍",
    "flag.visually_impaired": "视力障碍",
    "flag.diabetes": "糖尿病",
    "flag.hypertension": "高血压",
    "flag.heart_disease": "心脏病",
    "flag.fall_risk": "跌倒高风险",
    "flag.pacemaker": "心脏起搏器",
    "flag.disabled": "残疾",
    "flag.empty_nest": "空巢",
    "care.0": "能力完好",
    "care.1": "轻度失能",
    "care.2": "中度失能",
    "care.3": "重度失能",
    "care.4": "完全失能",
    "care.label": "照护等级",

    "time.now": "刚刚",
    "time.s": "{s}秒",
    "time.ms": "{m}分{s}秒",
    "time.hm": "{h}小时{m}分",
    "time.dh": "{d}天{h}小时",
    "time.ago": "{t}前",
    "time.never": "从未",

    "board.title": "未处理报警",
    "board.empty": "当前没有未处理的报警",
    "board.count": "{n} 条",
    "board.unacked": "待确认 {n}",
    "board.loading": "加载中…",
    "card.opened": "已持续",
    "card.escalated": "距上次升级",
    "card.not_escalated": "未升级",
    "card.step": "第{n}级",
    "card.silenced": "已静默",
    "card.unregistered": "未登记设备",
    "card.ticket": "12349工单",
    "card.incident": "已报12349",
    "card.acked_by": "{who} 已确认",
    "card.details": "详情",
    "card.device": "设备",
    "card.no_resident": "未绑定老人",

    "action.ack": "确认",
    "action.resolve": "解决",
    "action.cancel": "误报取消",
    "action.confirm.ack": "确认报警",
    "action.confirm.resolve": "标记解决",
    "action.confirm.cancel": "确认为误报",
    "action.back": "返回",
    "action.note": "备注",
    "action.note.placeholder": "处理情况（可选）",
    "action.by": "值班人",
    "action.by.placeholder": "您的姓名",
    "action.busy": "提交中…",
    "action.done.ack": "已确认",
    "action.done.resolve": "已解决",
    "action.done.cancel": "已作为误报取消",
    "note.preset.1": "已电话联系",
    "note.preset.2": "已派人前往",
    "note.preset.3": "家属已到场",
    "note.preset.4": "老人误触",

    "alert.title": "报警详情",
    "alert.not_found": "找不到该报警",
    "alert.fields": "基本信息",
    "alert.history": "处理记录",
    "alert.deliveries": "通知与投递",
    "alert.no_deliveries": "没有投递记录",
    "field.id": "编号",
    "field.rule": "规则",
    "field.severity": "级别",
    "field.state": "状态",
    "field.resident": "老人",
    "field.bed": "床位",
    "field.room": "房间",
    "field.device": "设备",
    "field.trigger": "触发",
    "field.opened_at": "产生时间",
    "field.updated_at": "更新时间",
    "field.acknowledged": "确认",
    "field.resolved_at": "解决时间",
    "field.escalation": "升级",
    "field.silenced": "静默",
    "field.cancelled": "误报",
    "field.incident": "12349事件",
    "field.ticket": "工单号",
    "field.hotline_status": "热线状态",
    "field.yes": "是",
    "field.no": "否",
    "history.at": "时间",
    "history.action": "动作",
    "history.by": "操作人",
    "history.note": "备注",
    "history.opened": "报警产生",
    "history.updated": "情况更新",
    "history.acknowledged": "已确认",
    "history.escalated": "已升级",
    "history.notified": "已通知",
    "history.delivered": "已送达",
    "history.rejected": "被拒收",
    "history.resolved": "已解决",
    "history.cancelled": "误报取消",
    "history.silenced": "已静默",
    "history.followup": "热线回执",
    "history.system": "系统",
    "delivery.channel": "渠道",
    "delivery.kind": "类型",
    "delivery.state": "状态",
    "delivery.attempts": "尝试",
    "delivery.last": "最近结果",
    "delivery.ticket": "工单",
    "delivery.when": "时间",
    "channel.hotline": "12349热线",
    "target.oncall": "值班组",
    "target.supervisor": "主管",
    "outkind.incident": "事件上报",
    "outkind.update": "后续通知",
    "outkind.notice": "员工通知",
    "outstate.pending": "待发送",
    "outstate.retrying": "重试中",
    "outstate.delivered": "已送达",
    "outstate.rejected": "被拒收",

    "resident.title": "老人信息",
    "resident.not_found": "找不到该老人",
    "resident.address": "地址",
    "resident.phone": "电话",
    "resident.contacts": "联系人",
    "resident.key_holder": "钥匙保管人",
    "resident.medical": "病史",
    "resident.vitals": "最新体征（24小时趋势）",
    "resident.no_vitals": "没有体征数据",
    "resident.location": "最后位置",
    "resident.no_location": "没有定位",
    "resident.in_zone": "在安全区域内，距家 {d} 米",
    "resident.out_zone": "已离开安全区域，距家 {d} 米",
    "resident.fix_at": "定位时间 {t}",
    "resident.bed_sensor": "床垫传感器：位于 {room}",
    "resident.devices": "设备",
    "resident.open_alerts": "未处理报警",
    "resident.no_alerts": "没有未处理报警",
    "resident.call": "拨打",
    "chart.no_data": "24小时内无数据",
    "chart.range": "最低 {min} · 最高 {max}",

    "devices.title": "设备",
    "devices.silent": "无信号",
    "devices.low_battery": "电量低",
    "devices.unregistered": "未登记",
    "devices.empty": "没有设备",
    "device.id": "设备号",
    "device.profile": "型号",
    "device.resident": "老人",
    "device.battery": "电量",
    "device.last_seen": "最后通信",
    "device.registered": "已登记",
    "device.unregistered": "未登记",
    "device.silent": "无信号",

    "outbox.title": "热线发件箱",
    "outbox.pending": "待发送",
    "outbox.retrying": "重试中",
    "outbox.rejected": "被拒收",
    "outbox.delivered": "已送达",
    "outbox.empty": "没有记录",
    "outbox.alert": "报警",
    "outbox.reason": "原因",
    "outbox.next": "下次尝试",
    "outbox.created": "创建",
    "outbox.requeue": "重新发送",
    "outbox.requeued": "已重新排队",
    "outbox.admin_only": "仅管理员可重新发送",

    "silences.title": "静默",
    "silences.empty": "当前没有静默",
    "silences.add": "新增静默",
    "silences.scope": "范围",
    "silences.target": "对象",
    "silences.minutes": "时长（分钟）",
    "silences.reason": "原因",
    "silences.by": "设置人",
    "silences.ends": "结束",
    "silences.lift": "解除",
    "silences.save": "保存静默",
    "silences.note": "SOS呼叫和跌倒报警不会被静默；被静默的报警仍会记录并显示。",
    "silences.target.resident": "老人编号，如 R-0001",
    "silences.target.device": "设备号",
    "silences.target.rule": "规则",
    "scope.resident": "老人",
    "scope.device": "设备",
    "scope.rule": "规则",
    "preset.hospital": "住院",
    "preset.charging": "设备充电",
    "preset.visit": "家属探望",
    "duration.m": "{n}分钟",
    "duration.h": "{n}小时",
    "duration.d": "{n}天",

    "login.title": "值班人员登录",
    "login.user": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.failed": "用户名或密码错误",
    "login.busy": "登录中…",

    "audit.title": "审计日志",

    "error.generic": "出错了：{msg}",
    "error.forbidden": "您的权限不足以执行此操作",
    "error.network": "网络不通，请稍后重试",
    "common.refresh": "刷新",
    "common.close": "关闭",
    "common.loading": "加载中…",
    "common.none": "—",
  };

  const en = {
    "app.title": "Anxin duty board",
    "app.brand": "Anxin duty",
    "nav.board": "Board",
    "nav.devices": "Devices",
    "nav.outbox": "Hotline outbox",
    "nav.silences": "Silences",
    "nav.audit": "Audit",
    "lang.switch": "中文",
    "lang.switch.title": "切换到中文",
    "sound.on": "Sound on",
    "sound.off": "Sound off",
    "sound.title": "Alarm tones by priority",
    "sound.blocked": "Tap anywhere to enable sound",
    "wall.on": "Exit wall",
    "wall.off": "Wall",
    "wall.title": "Wall screen mode (hides navigation and buttons)",
    "stream.open": "Live",
    "stream.connecting": "Connecting…",
    "stream.down": "Disconnected, retrying…",
    "user.anonymous": "Not signed in ({role})",
    "user.login": "Sign in",
    "user.logout": "Sign out",
    "role.viewer": "viewer",
    "role.oncall": "on call",
    "role.admin": "admin",
    "role.none": "no access",

    "severity.critical": "Critical",
    "severity.urgent": "Urgent",
    "severity.warning": "Warning",
    "severity.info": "Info",
    "state.open": "Open",
    "state.acknowledged": "Acknowledged",
    "state.resolved": "Resolved",
    "state.cancelled": "False alarm",

    "rule.sos": "SOS call",
    "rule.fall": "Fall",
    "rule.heart_rate_high": "Heart rate high",
    "rule.heart_rate_low": "Heart rate low",
    "rule.bp_high": "Blood pressure high",
    "rule.bp_crisis": "Hypertensive crisis",
    "rule.bp_low": "Blood pressure low",
    "rule.spo2_low": "SpO₂ low",
    "rule.spo2_critical": "SpO₂ critical",
    "rule.device_silent": "Device silent",
    "rule.bed_exit_night": "Out of bed at night",
    "rule.geofence_exit": "Left home zone",
    "rule.low_battery": "Low battery",
    "rule.not_worn": "Not worn",
    "rule.power_off": "Device off",
    "rule.ingest_outage": "Data outage",

    "event.sos": "SOS button",
    "event.fall": "fall",
    "event.bed_exit": "bed exit",
    "event.not_worn": "not worn",
    "event.low_battery": "low battery",
    "event.power_off": "power off",

    "kind.heart_rate": "Heart rate",
    "kind.systolic": "Systolic",
    "kind.diastolic": "Diastolic",
    "kind.spo2": "SpO₂",
    "kind.respiration_rate": "Respiration",
    "kind.body_temp": "Temperature",
    "kind.blood_glucose": "Glucose",
    "kind.battery": "Battery",
    "kind.steps": "Steps",
    "kind.location": "Location",
    "kind.in_bed": "In bed",
    "kind.worn": "Worn",
    "unit.heart_rate": "bpm",
    "unit.systolic": "mmHg",
    "unit.diastolic": "mmHg",
    "unit.spo2": "%",
    "unit.respiration_rate": "/min",
    "unit.body_temp": "°C",
    "unit.blood_glucose": "mmol/L",
    "unit.battery": "%",
    "unit.steps": "steps",
    "bool.in_bed.true": "in bed",
    "bool.in_bed.false": "out of bed",
    "bool.worn.true": "worn",
    "bool.worn.false": "not worn",

    "flag.lives_alone": "Lives alone",
    "flag.dementia": "Dementia",
    "flag.bedridden": "Bedridden",
    "flag.wheelchair": "Wheelchair",
    "flag.hearing_impaired": "Hearing impaired",
    "flag.visually_impaired": "Visually impaired",
    "flag.diabetes": "Diabetes",
    "flag.hypertension": "Hypertension",
    "flag.heart_disease": "Heart disease",
    "flag.fall_risk": "Fall risk",
    "flag.pacemaker": "Pacemaker",
    "flag.disabled": "Disability",
    "flag.empty_nest": "Empty nest",
    "care.0": "Independent",
    "care.1": "Mildly dependent",
    "care.2": "Moderately dependent",
    "care.3": "Severely dependent",
    "care.4": "Fully dependent",
    "care.label": "Care level",

    "time.now": "just now",
    "time.s": "{s}s",
    "time.ms": "{m}m {s}s",
    "time.hm": "{h}h {m}m",
    "time.dh": "{d}d {h}h",
    "time.ago": "{t} ago",
    "time.never": "never",

    "board.title": "Unresolved alerts",
    "board.empty": "No unresolved alerts",
    "board.count": "{n}",
    "board.unacked": "{n} to acknowledge",
    "board.loading": "Loading…",
    "card.opened": "Open for",
    "card.escalated": "Since escalation",
    "card.not_escalated": "not escalated",
    "card.step": "step {n}",
    "card.silenced": "Silenced",
    "card.unregistered": "Unregistered device",
    "card.ticket": "12349 ticket",
    "card.incident": "Sent to 12349",
    "card.acked_by": "Acknowledged by {who}",
    "card.details": "Details",
    "card.device": "Device",
    "card.no_resident": "No resident bound",

    "action.ack": "Acknowledge",
    "action.resolve": "Resolve",
    "action.cancel": "False alarm",
    "action.confirm.ack": "Acknowledge",
    "action.confirm.resolve": "Mark resolved",
    "action.confirm.cancel": "Cancel as false alarm",
    "action.back": "Back",
    "action.note": "Note",
    "action.note.placeholder": "What was done (optional)",
    "action.by": "Staff",
    "action.by.placeholder": "Your name",
    "action.busy": "Sending…",
    "action.done.ack": "Acknowledged",
    "action.done.resolve": "Resolved",
    "action.done.cancel": "Cancelled as a false alarm",
    "note.preset.1": "Phoned",
    "note.preset.2": "Staff on the way",
    "note.preset.3": "Family present",
    "note.preset.4": "Pressed by mistake",

    "alert.title": "Alert",
    "alert.not_found": "No such alert",
    "alert.fields": "Details",
    "alert.history": "History",
    "alert.deliveries": "Notifications and deliveries",
    "alert.no_deliveries": "No deliveries",
    "field.id": "ID",
    "field.rule": "Rule",
    "field.severity": "Severity",
    "field.state": "State",
    "field.resident": "Resident",
    "field.bed": "Bed",
    "field.room": "Room",
    "field.device": "Device",
    "field.trigger": "Trigger",
    "field.opened_at": "Opened",
    "field.updated_at": "Updated",
    "field.acknowledged": "Acknowledged",
    "field.resolved_at": "Resolved",
    "field.escalation": "Escalation",
    "field.silenced": "Silenced",
    "field.cancelled": "False alarm",
    "field.incident": "12349 incident",
    "field.ticket": "Ticket",
    "field.hotline_status": "Hotline status",
    "field.yes": "yes",
    "field.no": "no",
    "history.at": "Time",
    "history.action": "Action",
    "history.by": "By",
    "history.note": "Note",
    "history.opened": "Opened",
    "history.updated": "Updated",
    "history.acknowledged": "Acknowledged",
    "history.escalated": "Escalated",
    "history.notified": "Notified",
    "history.delivered": "Delivered",
    "history.rejected": "Rejected",
    "history.resolved": "Resolved",
    "history.cancelled": "Cancelled (false alarm)",
    "history.silenced": "Silenced",
    "history.followup": "Hotline follow-up",
    "history.system": "system",
    "delivery.channel": "Channel",
    "delivery.kind": "Kind",
    "delivery.state": "State",
    "delivery.attempts": "Attempts",
    "delivery.last": "Last result",
    "delivery.ticket": "Ticket",
    "delivery.when": "When",
    "channel.hotline": "12349 hotline",
    "target.oncall": "on-call group",
    "target.supervisor": "supervisor",
    "outkind.incident": "incident",
    "outkind.update": "follow-up",
    "outkind.notice": "staff notice",
    "outstate.pending": "pending",
    "outstate.retrying": "retrying",
    "outstate.delivered": "delivered",
    "outstate.rejected": "rejected",

    "resident.title": "Resident",
    "resident.not_found": "No such resident",
    "resident.address": "Address",
    "resident.phone": "Phone",
    "resident.contacts": "Contacts",
    "resident.key_holder": "Key holder",
    "resident.medical": "Medical notes",
    "resident.vitals": "Latest vitals (24 h trend)",
    "resident.no_vitals": "No vitals",
    "resident.location": "Last location",
    "resident.no_location": "No position",
    "resident.in_zone": "Inside home zone, {d} m from home",
    "resident.out_zone": "Outside home zone, {d} m from home",
    "resident.fix_at": "Fix at {t}",
    "resident.bed_sensor": "Bed sensor in {room}",
    "resident.devices": "Devices",
    "resident.open_alerts": "Unresolved alerts",
    "resident.no_alerts": "No unresolved alerts",
    "resident.call": "Call",
    "chart.no_data": "No data in 24 h",
    "chart.range": "min {min} · max {max}",

    "devices.title": "Devices",
    "devices.silent": "Silent",
    "devices.low_battery": "Low battery",
    "devices.unregistered": "Unregistered",
    "devices.empty": "No devices",
    "device.id": "Device",
    "device.profile": "Profile",
    "device.resident": "Resident",
    "device.battery": "Battery",
    "device.last_seen": "Last heard",
    "device.registered": "registered",
    "device.unregistered": "unregistered",
    "device.silent": "silent",

    "outbox.title": "Hotline outbox",
    "outbox.pending": "Pending",
    "outbox.retrying": "Retrying",
    "outbox.rejected": "Rejected",
    "outbox.delivered": "Delivered",
    "outbox.empty": "Nothing here",
    "outbox.alert": "Alert",
    "outbox.reason": "Reason",
    "outbox.next": "Next attempt",
    "outbox.created": "Created",
    "outbox.requeue": "Requeue",
    "outbox.requeued": "Requeued",
    "outbox.admin_only": "Only admins can requeue",

    "silences.title": "Silences",
    "silences.empty": "No silences in force",
    "silences.add": "Add a silence",
    "silences.scope": "Scope",
    "silences.target": "Target",
    "silences.minutes": "Minutes",
    "silences.reason": "Reason",
    "silences.by": "By",
    "silences.ends": "Ends",
    "silences.lift": "Lift",
    "silences.save": "Save silence",
    "silences.note": "SOS and fall alerts are never silenced; silenced alerts are still recorded and shown.",
    "silences.target.resident": "Resident id, e.g. R-0001",
    "silences.target.device": "Device id",
    "silences.target.rule": "Rule",
    "scope.resident": "Resident",
    "scope.device": "Device",
    "scope.rule": "Rule",
    "preset.hospital": "In hospital",
    "preset.charging": "Device charging",
    "preset.visit": "Family visit",
    "duration.m": "{n} min",
    "duration.h": "{n} h",
    "duration.d": "{n} d",

    "login.title": "Staff sign-in",
    "login.user": "User name",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.failed": "Wrong user name or password",
    "login.busy": "Signing in…",

    "audit.title": "Audit log",

    "error.generic": "Something went wrong: {msg}",
    "error.forbidden": "Your role may not do this",
    "error.network": "Network unreachable, try again",
    "common.refresh": "Refresh",
    "common.close": "Close",
    "common.loading": "Loading…",
    "common.none": "—",
  };

  const tables = { zh: zh, en: en };
  const stored = (function () {
    try {
      return window.localStorage.getItem("anxin.lang");
    } catch (e) {
      return null;
    }
  })();
  let lang = stored === "en" ? "en" : "zh";

  /** The current language code: "zh" or "en". */
  Anxin.lang = function () {
    return lang;
  };

  /** Switches the language and remembers the choice. */
  Anxin.setLang = function (code) {
    lang = code === "en" ? "en" : "zh";
    try {
      window.localStorage.setItem("anxin.lang", lang);
    } catch (e) {
      /* private mode: the choice lasts for this page only */
    }
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  };

  /** Whether a key has a translation. */
  Anxin.has = function (key) {
    return Object.prototype.hasOwnProperty.call(tables[lang], key);
  };

  /** The text for `key` with `{name}` placeholders filled from `params`; the key itself if unknown. */
  Anxin.t = function (key, params) {
    let text = tables[lang][key];
    if (text === undefined) text = zh[key];
    if (text === undefined) return key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return params[name] === undefined || params[name] === null ? m : String(params[name]);
      });
    }
    return text;
  };

  /** A translated name from a family ("rule", "flag", …), falling back to the raw code. */
  Anxin.term = function (family, code) {
    if (code === null || code === undefined || code === "") return Anxin.t("common.none");
    const key = family + "." + code;
    return Anxin.has(key) || zh[key] !== undefined ? Anxin.t(key) : String(code);
  };

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** A duration in milliseconds as "3分12秒" / "3m 12s". */
  Anxin.duration = function (ms) {
    if (!isFinite(ms)) return Anxin.t("common.none");
    let s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return Anxin.t("time.s", { s: s });
    let m = Math.floor(s / 60);
    s = s % 60;
    if (m < 60) return Anxin.t("time.ms", { m: m, s: pad(s) });
    let h = Math.floor(m / 60);
    m = m % 60;
    if (h < 24) return Anxin.t("time.hm", { h: h, m: pad(m) });
    const d = Math.floor(h / 24);
    h = h % 24;
    return Anxin.t("time.dh", { d: d, h: h });
  };

  /** "3分12秒前" for a past ISO time; "从未" for none. */
  Anxin.ago = function (iso, now) {
    const at = Anxin.parseTime(iso);
    if (at === null) return Anxin.t("time.never");
    const ms = (now || Date.now()) - at;
    if (ms < 5000) return Anxin.t("time.now");
    return Anxin.t("time.ago", { t: Anxin.duration(ms) });
  };

  /** Milliseconds since the epoch for an ISO 8601 text, or null. */
  Anxin.parseTime = function (iso) {
    if (!iso) return null;
    const v = Date.parse(iso);
    return isNaN(v) ? null : v;
  };

  /** A local date and time, "11-22 08:16:12". */
  Anxin.clockTime = function (iso) {
    const at = Anxin.parseTime(iso);
    if (at === null) return Anxin.t("common.none");
    const d = new Date(at);
    return (
      pad(d.getMonth() + 1) +
      "-" +
      pad(d.getDate()) +
      " " +
      pad(d.getHours()) +
      ":" +
      pad(d.getMinutes()) +
      ":" +
      pad(d.getSeconds())
    );
  };

  /** A number with at most `digits` decimals, trailing zeros dropped. */
  Anxin.number = function (v, digits) {
    if (typeof v !== "number" || !isFinite(v)) return String(v);
    const f = Math.pow(10, digits === undefined ? 1 : digits);
    return String(Math.round(v * f) / f);
  };

  /** A reading value with its unit: "145 次/分", "在床". */
  Anxin.readingText = function (kind, value) {
    if (typeof value === "boolean") return Anxin.t("bool." + kind + "." + value);
    if (value && typeof value === "object") {
      return Anxin.number(value.lat, 5) + ", " + Anxin.number(value.lon, 5);
    }
    const digits = kind === "body_temp" || kind === "blood_glucose" ? 1 : 0;
    const unit = Anxin.has("unit." + kind) ? " " + Anxin.t("unit." + kind) : "";
    return Anxin.number(value, digits) + unit;
  };

  /** What fired an alert, in words: "SOS按键", "心率 145 次/分". */
  Anxin.triggerText = function (trigger) {
    if (!trigger || typeof trigger !== "object") return Anxin.t("common.none");
    if (trigger.event) return Anxin.term("event", trigger.event);
    if (trigger.kind) {
      const name = Anxin.term("kind", trigger.kind);
      return trigger.value === undefined ? name : name + " " + Anxin.readingText(trigger.kind, trigger.value);
    }
    return JSON.stringify(trigger);
  };

  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
})();
