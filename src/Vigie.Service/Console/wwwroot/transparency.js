'use strict';
// The public page: reads only /api/public/transparency, which needs no sign-in and holds no image or person data.
(async () => {
  const text = (tag, value) => { const e = document.createElement(tag); e.textContent = value; return e; };
  const camerasBox = document.getElementById('cameras');
  let figures;
  try {
    const response = await fetch('/api/public/transparency');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    figures = await response.json();
  } catch (e) {
    camerasBox.textContent = `The figures cannot be shown right now (${e.message}).`;
    return;
  }
  // Dates on the site's clock, where its acts were made, whatever the reader's own.
  const clock = figures.time_zone ? { timeZone: figures.time_zone } : {};
  const day = iso => new Date(iso).toLocaleDateString(undefined, clock);
  camerasBox.textContent = figures.cameras.length ? '' : 'No camera is under algorithmic analysis.';
  for (const camera of figures.cameras) {
    const block = document.createElement('section');
    block.className = 'public-camera';
    block.append(text('h3', camera.name),
      text('p', camera.use_cases_in_force.length ? `Analysed now for: ${camera.use_cases_in_force.join(', ')}` : 'Not analysed now.'));
    const list = document.createElement('ul');
    for (const act of camera.authorisations) {
      list.append(text('li', `${act.reference} (${act.authority}, ${act.act_date}): ${act.use_cases.join(', ')} from ${day(act.starts)} to ${day(act.ends)}` +
        ` — ${act.perimeter}${act.in_force ? '' : ' (not in force)'}`));
    }
    block.append(list);
    camerasBox.append(block);
  }
  const body = document.querySelector('#months tbody');
  for (const m of figures.months) {
    const row = document.createElement('tr');
    const rate = m.confirmation_rate === null ? '–' : `${Math.round(m.confirmation_rate * 100)} %`;
    for (const v of [m.month, m.kind, m.alerts, m.confirmed, m.dismissed, rate]) row.append(text('td', String(v)));
    body.append(row);
  }
  if (!figures.months.length) body.append(text('tr', 'No alert in the last twelve months.'));
  document.getElementById('generated').textContent = `Figures of ${new Date(figures.generated).toLocaleString(undefined, clock)}` +
    `${figures.time_zone ? ` (${figures.time_zone})` : ''}; months are UTC months.`;
})();
