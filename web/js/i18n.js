// Chinese first, English on request; the choice is kept in localStorage.

const STORAGE_KEY = "p24.lang";

const ZH = {
  "site.name": "24小时警局",
  "site.tagline": "包头市公安局 · 网上警民互动平台",
  "site.emergency": "紧急警情请直接拨打 110",
  "site.skip": "跳到主要内容",
  "lang.toggle": "English",
  "lang.toggleLabel": "Switch to English",
  "nav.label": "主导航",
  "nav.home": "首页",
  "nav.compose": "发帖",
  "nav.me": "我的",
  "nav.stats": "数据公开",
  "nav.share": "扫码分享",
  "nav.login": "登录",
  "footer.note": "民警实名、实时回复 · 每一步处置公开可查",
  "footer.outbox": "本地发件箱",

  "common.loading": "加载中…",
  "common.retry": "重试",
  "common.more": "加载更多",
  "common.noMore": "没有更多了",
  "common.back": "返回",
  "common.refresh": "刷新",
  "common.submit": "提交",
  "common.submitting": "提交中…",
  "common.cancel": "取消",
  "common.none": "无",
  "common.optional": "(选填)",
  "common.chars": "{n}/{max} 字",

  "boards.title": "板块",
  "boards.all": "全部",
  "boards.allDesc": "全部板块:置顶公告在前,其余帖子按时间由新到旧排列。",
  "boards.intro": "板块介绍",
  "boards.introTitle": "十二个板块",
  "boards.enter": "进入板块",
  "boards.chipsLabel": "按板块筛选",

  "feed.title": "最新帖子",
  "feed.empty": "这里还没有帖子。",
  "feed.compose": "我要发帖",
  "feed.pinned": "置顶",
  "feed.replies": "{n} 条回复",
  "feed.postedOk": "发布成功!民警将尽快回复,处置进展会在帖子下公开。",

  "post.police_only": "仅警方可见",
  "post.policeOnlyNote": "这是一条仅警方可见的线索,公开页面只显示提示。",
  "post.repliesWithheld": "回复仅发帖人和民警可见。",
  "post.by": "发帖人:{name}",
  "post.assigned": "承办单位:{unit}",
  "post.notAssigned": "正在分派承办单位",
  "post.timeline": "处置进展",
  "post.replies": "回复",
  "post.noReplies": "还没有回复。",
  "post.official": "官方回复",
  "post.followUp": "跟帖",
  "post.followUpLabel": "跟帖内容",
  "post.followUpSubmit": "发表跟帖",
  "post.followUpOk": "跟帖已发布。",
  "post.officialReplyLabel": "以民警身份回复(公开显示您的实名和单位)",
  "post.signInToReply": "登录后可以跟帖。",
  "post.notFound": "帖子不存在或已被隐藏。",
  "post.feedback": "确认办结并评价",
  "post.feedbackIntro": "警方已将此帖标记为办结。您对处置结果满意吗?不满意的帖子会重新办理。",
  "post.satisfied": "满意",
  "post.unsatisfied": "不满意,重新办理",
  "post.feedbackComment": "评价说明",
  "post.feedbackOk": "感谢您的评价!",
  "post.rated": "您已评价过此帖。",
  "post.mine": "我的帖子",

  "deadline.left": "距首次回复时限还有 {t}",
  "deadline.overdue": "已超过首次回复时限 {t}",
  "deadline.answered": "民警已回复",
  "deadline.due": "首次回复时限:{at}",

  "status.received": "已收悉",
  "status.dispatched": "已派警",
  "status.acknowledged": "已受理",
  "status.in_progress": "处置中",
  "status.resolved": "已办结",
  "status.reopened": "重新办理",
  "status.hidden": "已隐藏",

  "type.report": "举报",
  "type.help": "求助",
  "type.publicity": "宣传",
  "type.question": "问题",

  "time.justNow": "刚刚",
  "time.minutesAgo": "{n} 分钟前",
  "time.hoursAgo": "{n} 小时前",
  "time.minutes": "{n} 分钟",
  "time.hoursMinutes": "{h} 小时 {m} 分钟",
  "time.days": "{n} 天",

  "login.title": "手机号登录",
  "login.intro": "后台实名、前台自愿:您的手机号只用于登录和接收回复通知,公开页面只显示昵称。",
  "login.phone": "手机号码",
  "login.sendCode": "获取验证码",
  "login.resend": "{n} 秒后可重新获取",
  "login.codeSent": "验证码已发送到 {phone},5 分钟内有效。",
  "login.code": "6 位验证码",
  "login.submit": "登录",
  "login.ok": "登录成功。",
  "login.devHint": "本地试用:验证码不会真的发短信,请到「本地发件箱」查看。",
  "login.needed": "请先登录,再继续操作。",
  "login.goSignIn": "去登录",
  "login.signOut": "退出登录",

  "compose.title": "发帖",
  "compose.board": "板块",
  "compose.type": "类型",
  "compose.district": "所在地区",
  "compose.noDistrict": "不指定",
  "compose.titleField": "标题",
  "compose.body": "内容",
  "compose.bodyHint": "请写清时间、地点和经过。请勿公开他人的身份证号、手机号,公开显示时会自动打码。",
  "compose.policeOnly": "仅警方可见(适用于举报线索,公开页面只显示提示)",
  "compose.submit": "发布",
  "compose.emergency": "紧急情况请立即拨打110",
  "compose.emergencyText": "您描述的可能是正在发生的紧急警情。网上发帖不能代替报警,请先拨打 110。",
  "compose.call110": "拨打 110",
  "compose.confirm": "我已知晓,仍要发帖",
  "compose.confirmNeeded": "请先阅读上面的提示,并点击「我已知晓,仍要发帖」再发布。",

  "me.title": "我的",
  "me.nickname": "昵称",
  "me.save": "保存昵称",
  "me.saved": "昵称已保存。",
  "me.role": "身份:{role}",
  "me.posts": "我发的帖子",
  "me.noPosts": "您还没有发过帖子。",
  "role.citizen": "网友",
  "role.officer": "民警",
  "role.leader": "领导",
  "role.admin": "管理员",

  "stats.title": "数据公开",
  "stats.intro": "阳光执法:平台和各单位的处置数据,实时统计。",
  "stats.posts": "帖子",
  "stats.replies": "回复",
  "stats.official_replies": "官方回复",
  "stats.dispatches": "派警",
  "stats.resolved": "办结",
  "stats.escalations": "督办",
  "stats.median": "首次回复中位用时",
  "stats.inTime": "按时回复率",
  "stats.satisfaction": "满意度",
  "stats.ratings": "{n} 次评价",
  "stats.noData": "暂无数据",
  "stats.minutes": "{n} 分钟",
  "stats.byUnit": "各单位受理帖子数",
  "stats.byUnitResolved": "各单位办结数",
  "stats.byUnitInTime": "各单位按时回复率",
  "stats.chartEmpty": "暂无单位数据。",
  "stats.directory": "单位名录与公开联系方式",
  "stats.noContact": "未公开联系方式",
  "unit.command_center": "指挥中心",
  "unit.station": "公安分局/派出所",
  "unit.brigade": "支队",
  "unit.department": "业务部门",

  "share.title": "扫码访问",
  "share.intro": "用手机扫描二维码,即可打开 24 小时警局。",
  "share.copy": "复制网址",
  "share.copied": "网址已复制。",
  "share.qrLabel": "本站网址的二维码:{url}",
  "share.tooLong": "网址太长,无法生成二维码。",

  "reply.title": "民警处理页",
  "reply.noLink": "请通过通知短信或邮件里的处理链接打开本页。",
  "reply.exchanging": "正在验证处理链接…",
  "reply.expired": "该处理链接已失效或无效。请使用最新通知中的链接,或联系指挥中心。",
  "reply.foreign": "该处理链接不能用于此帖子。请使用对应通知中的链接。",
  "reply.officer": "当前民警:{name}({role})",
  "reply.realName": "您的回复将以实名和所在单位公开显示。打开本页不会改变帖子状态。",
  "reply.heading": "回复网友",
  "reply.templates": "回复模板",
  "reply.templatesHint": "点击模板填入回复框,可再修改。",
  "reply.body": "回复内容",
  "reply.submit": "以实名发布回复",
  "reply.ok": "回复已发布。",
  "reply.status": "办理状态",
  "reply.current": "当前状态:",
  "reply.moveTo": "改为「{status}」",
  "reply.note": "备注",
  "reply.statusOk": "状态已更新为「{status}」。",
  "reply.noNext": "此帖子没有可以推进的状态。",
  "reply.route": "改派",
  "reply.routeIntro": "局领导和指挥中心可以把帖子改派给其他单位。",
  "reply.routeOfficer": "改派(仅限指挥中心民警)",
  "reply.unit": "改派至",
  "reply.routeSubmit": "改派",
  "reply.routeOk": "已改派至{unit}。",
  "reply.openCitizen": "在公众页面查看",

  "outbox.title": "本地发件箱",
  "outbox.intro": "本地开发环境中“发出”的每条短信、邮件和 110 转警记录。验证码可点击复制,处理链接可直接打开。",
  "outbox.to": "收件人(手机号或邮箱)",
  "outbox.filter": "筛选",
  "outbox.auto": "每 3 秒自动刷新",
  "outbox.updated": "更新于 {at}",
  "outbox.empty": "还没有消息。",
  "outbox.unavailable": "发件箱只在本地开发环境(make dev)中提供。",
  "outbox.copy": "复制验证码 {code}",
  "outbox.copied": "已复制 {code}",
  "outbox.channel.sms": "短信",
  "outbox.channel.email": "邮件",
  "outbox.channel.cad": "110 转警",

  "error.network": "网络连接失败,请检查网络后重试。",
  "error.server": "服务器暂时无法处理,请稍后再试。",
  "error.unauthenticated": "登录已过期或尚未登录,请重新登录。",
  "error.forbidden": "您没有权限进行此操作。",
  "error.notFound": "要找的内容不存在或已被隐藏。",
  "error.conflict": "帖子已被他人更新,页面已刷新,请确认后重试。",
  "error.tooMany": "操作过于频繁,请 {n} 秒后再试。",
  "error.tooLarge": "内容太长了,请删减后再提交。",
  "error.invalid": "填写的内容有误,请检查后重试。",
  "error.unknown": "出了点问题,请稍后再试。",
  "field.phone": "请输入正确的 11 位手机号码。",
  "field.code": "请输入短信里的 6 位数字验证码。",
  "field.codeWrong": "验证码错误或已失效,请重新获取。",
  "field.title": "标题需为 1–100 个字。",
  "field.body": "内容需为 1–5000 个字。",
  "field.replyBody": "回复需为 1–2000 个字。",
  "field.board": "请选择板块。",
  "field.type": "该板块不接受这种类型的帖子,请换一个类型。",
  "field.district": "请从列表中选择地区。",
  "field.nickname": "昵称需为 1–20 个字。",
  "field.unit_id": "请选择要改派的单位。",
  "field.status": "不能改为这个状态。",
  "field.comment": "评价说明不能超过 500 个字。",
  "field.note": "备注不能超过 500 个字。",

  // reach
  "reach.largeText": "大字",
  "reach.largeTextLabel": "大字模式",
  "reach.emergencyLabel": "紧急求助",
};

const EN = {
  "site.name": "Police24",
  "site.tagline": "Baotou Public Security Bureau · online police station",
  "site.emergency": "Emergency? Call 110 now",
  "site.skip": "Skip to main content",
  "lang.toggle": "中文",
  "lang.toggleLabel": "切换到中文",
  "nav.label": "Main navigation",
  "nav.home": "Home",
  "nav.compose": "Post",
  "nav.me": "Mine",
  "nav.stats": "Figures",
  "nav.share": "Share",
  "nav.login": "Sign in",
  "footer.note": "Officers answer under their real names · every step is public",
  "footer.outbox": "Local outbox",

  "common.loading": "Loading…",
  "common.retry": "Retry",
  "common.more": "Load more",
  "common.noMore": "No more posts",
  "common.back": "Back",
  "common.refresh": "Refresh",
  "common.submit": "Submit",
  "common.submitting": "Sending…",
  "common.cancel": "Cancel",
  "common.none": "None",
  "common.optional": "(optional)",
  "common.chars": "{n}/{max} characters",

  "boards.title": "Boards",
  "boards.all": "All",
  "boards.allDesc": "All boards: pinned notices first, then the newest posts.",
  "boards.intro": "About the boards",
  "boards.introTitle": "The twelve boards",
  "boards.enter": "Open board",
  "boards.chipsLabel": "Filter by board",

  "feed.title": "Latest posts",
  "feed.empty": "No posts here yet.",
  "feed.compose": "Write a post",
  "feed.pinned": "Pinned",
  "feed.replies": "Replies: {n}",
  "feed.postedOk": "Posted! Officers will answer soon; every step shows under the post.",

  "post.police_only": "Police only",
  "post.policeOnlyNote": "This tip-off is visible to the police only; the public sees a notice.",
  "post.repliesWithheld": "Replies are visible to the author and the police only.",
  "post.by": "by {name}",
  "post.assigned": "Handled by: {unit}",
  "post.notAssigned": "Assigning a unit",
  "post.timeline": "Progress",
  "post.replies": "Replies",
  "post.noReplies": "No replies yet.",
  "post.official": "Official reply",
  "post.followUp": "Follow up",
  "post.followUpLabel": "Your follow-up",
  "post.followUpSubmit": "Post follow-up",
  "post.followUpOk": "Follow-up posted.",
  "post.officialReplyLabel": "Reply as an officer (your real name and unit are shown)",
  "post.signInToReply": "Sign in to follow up.",
  "post.notFound": "This post does not exist or was hidden.",
  "post.feedback": "Confirm and rate",
  "post.feedbackIntro": "The police marked this post resolved. Are you satisfied? If not, it is reopened.",
  "post.satisfied": "Satisfied",
  "post.unsatisfied": "Not satisfied, reopen",
  "post.feedbackComment": "Comment",
  "post.feedbackOk": "Thank you for your rating!",
  "post.rated": "You have already rated this post.",
  "post.mine": "My posts",

  "deadline.left": "{t} left to the first reply",
  "deadline.overdue": "First reply overdue by {t}",
  "deadline.answered": "Officers have replied",
  "deadline.due": "First reply due: {at}",

  "status.received": "Received",
  "status.dispatched": "Dispatched",
  "status.acknowledged": "Acknowledged",
  "status.in_progress": "In progress",
  "status.resolved": "Resolved",
  "status.reopened": "Reopened",
  "status.hidden": "Hidden",

  "type.report": "Report",
  "type.help": "Help",
  "type.publicity": "Notice",
  "type.question": "Question",

  "time.justNow": "just now",
  "time.minutesAgo": "{n} min ago",
  "time.hoursAgo": "{n} h ago",
  "time.minutes": "{n} min",
  "time.hoursMinutes": "{h} h {m} min",
  "time.days": "{n} days",

  "login.title": "Sign in with your phone",
  "login.intro": "Your phone number is only used to sign in and to tell you when the police answer; the public sees a nickname.",
  "login.phone": "Mobile number",
  "login.sendCode": "Send code",
  "login.resend": "Resend in {n} s",
  "login.codeSent": "A code was sent to {phone}; it is valid for 5 minutes.",
  "login.code": "6-digit code",
  "login.submit": "Sign in",
  "login.ok": "Signed in.",
  "login.devHint": "Trying it locally: no real SMS is sent; read the code in the local outbox.",
  "login.needed": "Please sign in first.",
  "login.goSignIn": "Sign in",
  "login.signOut": "Sign out",

  "compose.title": "New post",
  "compose.board": "Board",
  "compose.type": "Type",
  "compose.district": "District",
  "compose.noDistrict": "Not specified",
  "compose.titleField": "Title",
  "compose.body": "Details",
  "compose.bodyHint": "Say when, where and what happened. Do not publish other people's ID or phone numbers; they are masked in public.",
  "compose.policeOnly": "Visible to the police only (for tip-offs; the public sees a notice)",
  "compose.submit": "Publish",
  "compose.emergency": "紧急情况请立即拨打110 · Emergency: call 110 now",
  "compose.emergencyText": "This may be an emergency in progress. A post is no substitute for a call: dial 110 first.",
  "compose.call110": "Call 110",
  "compose.confirm": "I understand, post anyway",
  "compose.confirmNeeded": "Please read the notice above and press “I understand, post anyway” first.",

  "me.title": "Mine",
  "me.nickname": "Nickname",
  "me.save": "Save nickname",
  "me.saved": "Nickname saved.",
  "me.role": "Role: {role}",
  "me.posts": "My posts",
  "me.noPosts": "You have not posted yet.",
  "role.citizen": "Resident",
  "role.officer": "Officer",
  "role.leader": "Leader",
  "role.admin": "Admin",

  "stats.title": "Public figures",
  "stats.intro": "Open policing: figures of the platform and of each unit, live.",
  "stats.posts": "Posts",
  "stats.replies": "Replies",
  "stats.official_replies": "Official replies",
  "stats.dispatches": "Dispatches",
  "stats.resolved": "Resolved",
  "stats.escalations": "Escalations",
  "stats.median": "Median first response",
  "stats.inTime": "Answered in time",
  "stats.satisfaction": "Satisfaction",
  "stats.ratings": "{n} ratings",
  "stats.noData": "No data yet",
  "stats.minutes": "{n} min",
  "stats.byUnit": "Posts handled per unit",
  "stats.byUnitResolved": "Resolved per unit",
  "stats.byUnitInTime": "Answered in time, per unit",
  "stats.chartEmpty": "No unit figures yet.",
  "stats.directory": "Unit directory and public contacts",
  "stats.noContact": "No public contact",
  "unit.command_center": "Command center",
  "unit.station": "Station",
  "unit.brigade": "Brigade",
  "unit.department": "Department",

  "share.title": "Scan to visit",
  "share.intro": "Scan the code with a phone to open Police24.",
  "share.copy": "Copy address",
  "share.copied": "Address copied.",
  "share.qrLabel": "QR code of this site's address: {url}",
  "share.tooLong": "The address is too long for a QR code.",

  "reply.title": "Officer reply page",
  "reply.noLink": "Open this page from the link in your notification (SMS or email).",
  "reply.exchanging": "Checking the link…",
  "reply.expired": "This link has expired or is not valid. Use the link in the latest notification, or call the command center.",
  "reply.foreign": "This link cannot be used for this post. Use the link in its own notification.",
  "reply.officer": "Officer: {name} ({role})",
  "reply.realName": "Your reply is published under your real name and unit. Opening this page changes nothing.",
  "reply.heading": "Answer the resident",
  "reply.templates": "Templates",
  "reply.templatesHint": "Pick a template to fill the reply box; you can edit it.",
  "reply.body": "Reply",
  "reply.submit": "Publish under my name",
  "reply.ok": "Reply published.",
  "reply.status": "Status",
  "reply.current": "Current status: ",
  "reply.moveTo": "Mark “{status}”",
  "reply.note": "Note",
  "reply.statusOk": "Status is now “{status}”.",
  "reply.noNext": "There is no further status for this post.",
  "reply.route": "Re-route",
  "reply.routeIntro": "Leaders and the command center can hand the post to another unit.",
  "reply.routeOfficer": "Re-route (command center officers only)",
  "reply.unit": "Hand to",
  "reply.routeSubmit": "Re-route",
  "reply.routeOk": "Re-routed to {unit}.",
  "reply.openCitizen": "View on the public page",

  "outbox.title": "Local outbox",
  "outbox.intro": "Every SMS, email and 110 hand-off the local stack “sent”. Click a code to copy it; links open directly.",
  "outbox.to": "Recipient (phone or email)",
  "outbox.filter": "Filter",
  "outbox.auto": "Refresh every 3 s",
  "outbox.updated": "Updated {at}",
  "outbox.empty": "No messages yet.",
  "outbox.unavailable": "The outbox exists only on the local stack (make dev).",
  "outbox.copy": "Copy code {code}",
  "outbox.copied": "Copied {code}",
  "outbox.channel.sms": "SMS",
  "outbox.channel.email": "Email",
  "outbox.channel.cad": "110 hand-off",

  "error.network": "Could not reach the server. Check the connection and try again.",
  "error.server": "The server cannot handle this right now. Please try again later.",
  "error.unauthenticated": "You are not signed in or your session expired. Please sign in again.",
  "error.forbidden": "You are not allowed to do this.",
  "error.notFound": "This does not exist or was hidden.",
  "error.conflict": "Someone else updated this post; the page was refreshed, please check and retry.",
  "error.tooMany": "Too many attempts. Try again in {n} seconds.",
  "error.tooLarge": "That is too long; please shorten it.",
  "error.invalid": "Something in the form is not right; please check it.",
  "error.unknown": "Something went wrong. Please try again later.",
  "field.phone": "Enter a valid 11-digit mobile number.",
  "field.code": "Enter the 6-digit code from the SMS.",
  "field.codeWrong": "The code is wrong or expired; request a new one.",
  "field.title": "The title must be 1–100 characters.",
  "field.body": "The details must be 1–5000 characters.",
  "field.replyBody": "A reply must be 1–2000 characters.",
  "field.board": "Choose a board.",
  "field.type": "This board does not take this type of post; choose another type.",
  "field.district": "Choose a district from the list.",
  "field.nickname": "A nickname must be 1–20 characters.",
  "field.unit_id": "Choose the unit to hand the post to.",
  "field.status": "The post cannot move to this status.",
  "field.comment": "The comment must be at most 500 characters.",
  "field.note": "The note must be at most 500 characters.",

  // reach
  "reach.largeText": "Large text",
  "reach.largeTextLabel": "Large text mode",
  "reach.emergencyLabel": "Emergency",
};

const BOARD_NAMES_EN = {
  report: ["Report it", "Report crime and violations; the police check at once."],
  hukou: ["Household registration", "Residence registration and ID card questions."],
  "exit-entry": ["Exit and entry", "Passports and travel permits."],
  traffic: ["Traffic police", "Traffic violations, accidents, licences and vehicles."],
  "anti-drug": ["Anti-drug", "Drug prevention and tip-offs."],
  "anti-terror": ["Counter-terrorism", "Prevention and reporting suspicious activity."],
  "legal-education": ["Law education", "Laws explained through cases."],
  "online-lawyer": ["Online lawyer", "Lawyers answer legal questions."],
  "legal-aid": ["Legal aid", "How to apply for legal aid."],
  environment: ["Environment", "Pollution and noise: reports and questions."],
  hometown: ["Far from home", "For Baotou people living elsewhere."],
  qa: ["Questions", "Other police matters, answered online."],
};

const DICTS = { zh: ZH, en: EN };
const listeners = [];

/** The current language: "zh" (default) or "en". */
export function lang() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

/** Translate a key, filling {placeholders} from vars. */
export function t(key, vars = {}) {
  const text = DICTS[lang()][key] ?? ZH[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Whether a translation exists for a key. */
export function has(key) {
  return key in ZH;
}

/** A board's name and description in the current language (server text in Chinese). */
export function boardText(board) {
  if (lang() === "en" && BOARD_NAMES_EN[board.id]) {
    const [name, description] = BOARD_NAMES_EN[board.id];
    return { name, description };
  }
  return { name: board.name, description: board.description };
}

/** Fill every [data-i18n] element's text (and [data-i18n-label] aria-label) in a root. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

/** Switch language, remember it, and tell listeners. */
export function setLang(value) {
  try {
    localStorage.setItem(STORAGE_KEY, value === "en" ? "en" : "zh");
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyStatic();
  for (const listener of listeners) listener();
}

/** Run a function whenever the language changes. */
export function onLangChange(listener) {
  listeners.push(listener);
}

/** Wire a toggle button that flips between Chinese and English. */
export function wireToggle(button) {
  const label = () => {
    button.textContent = t("lang.toggle");
    button.setAttribute("aria-label", t("lang.toggleLabel"));
    button.setAttribute("lang", lang() === "en" ? "zh-CN" : "en");
  };
  label();
  button.addEventListener("click", () => {
    setLang(lang() === "en" ? "zh" : "en");
    label();
  });
}
