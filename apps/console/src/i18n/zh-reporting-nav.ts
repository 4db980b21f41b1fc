/** 信息报送's texts in the first load: nav entries and the alert banner shown on every page. */
export const zhReportingNav = {
  'rep.navReporting': '信息报送',
  'rep.navBoard': '报送看板',
  'rep.navDaily': '日报告',
  'rep.navMonthly': '报送通报',
  'rep.soundOff': '提示音未开启，报送告警不会响铃',
  'rep.drill': '演练',
  'rep.daily': '日报告',
  'rep.dueAt': '时限',
  'rep.alertDue': '即将到期',
  'rep.alertOverdue': '已超时未报',
  'rep.open': '查看',
  'rep.ack': '知道了',
  'rep.kindPhone': '电话报告',
  'rep.kindInitial': '初报',
  'rep.kindFollowup': '续报',
  'rep.kindFinal': '终报',
} as const;
