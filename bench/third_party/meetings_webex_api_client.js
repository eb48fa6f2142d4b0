// Drives the npm package `webex-api-client` (a meetings client) through its own public
// Builder API against a `webex-conformance serve` URL, and prints one JSON line per call:
// {"call": name, "ok": bool, "detail": text}. Usage: node meetings_webex_api_client.js INFO_JSON
// (INFO_JSON is the first line `serve` prints). NODE_PATH must reach the installed package.
'use strict';
const Client = require('webex-api-client');
const xml2js = require('xml2js');

const info = JSON.parse(process.argv[2]);
const url = info.url;
const creds = role => ({
	webExID: info.accounts[role].webExID,
	password: info.accounts[role].password,
	siteName: info.siteName
});

const strip = name => name.replace(/^.*:/, '');
const parse = text => xml2js.parseStringPromise(text, {
	tagNameProcessors: [strip], attrNameProcessors: [strip], explicitArray: false
});

// Finds the first element named `name` anywhere under `node`.
const find = (node, name) => {
	if (node === null || typeof node !== 'object') {
		return undefined;
	}
	if (Object.prototype.hasOwnProperty.call(node, name)) {
		const v = node[name];
		return (v && typeof v === 'object' && '_' in v) ? v._ : v;
	}
	for (const key of Object.keys(node)) {
		if (key === '$') {
			continue;
		}
		const found = find(node[key], name);
		if (found !== undefined) {
			return found;
		}
	}
	return undefined;
};

// One client call: build with `configure(builder)`, execute, read the envelope.
// `expect` checks the parsed reply and returns a problem string or ''.
// `failure` names the exceptionID a real site answers when the call must fail.
async function call(name, role, configure, expect, failure) {
	let detail = '';
	let ok = false;
	let doc = null;
	try {
		const builder = new Client.Builder(typeof role === 'string' ? creds(role) : role, url);
		const text = await configure(builder).build().exec();
		doc = await parse(text);
		const result = find(doc, 'result');
		if (failure) {
			ok = result === 'FAILURE' && find(doc, 'exceptionID') === failure;
			detail = ok ? '' : `${result} ${find(doc, 'exceptionID') || ''}, expected FAILURE ${failure}`;
		} else if (result !== 'SUCCESS') {
			detail = `${result} ${find(doc, 'exceptionID') || ''} ${find(doc, 'reason') || ''}`;
		} else {
			detail = expect ? expect(doc) : '';
			ok = !detail;
		}
	} catch (err) {
		detail = `client error: ${err.message}`;
	}
	process.stdout.write(JSON.stringify({call: name, ok, detail: String(detail).slice(0, 300)}) + '\n');
	return (ok && !failure) ? doc : null;
}

const tomorrow = hour => {
	const d = new Date();
	d.setDate(d.getDate() + 1);
	d.setHours(hour, 0, 0, 0);
	return d;
};

async function meetingRound(i, role, options) {
	const confName = `Client round ${i} R\u00e9union \u2603 &<>`;
	const created = await call('CreateMeeting', role, b => {
		b.metaData({confName, agenda: `round ${i}`})
			.participants({maxUserNumber: 4, attendees: [
				{name: `Guest ${i}a`, email: `guest${i}a@example.com`},
				{name: `Guest ${i}b`, email: `guest${i}b@example.com`, joinStatus: 'INVITE', role: 'ATTENDEE'}
			]})
			.schedule(Object.assign({startDate: tomorrow(9 + i), openTime: 900, duration: 30}, options.schedule));
		if (options.enableOptions) {
			b.enableOptions(options.enableOptions);
		}
		if (options.accessControl) {
			b.accessControl(options.accessControl);
		}
		if (options.remind) {
			b.remind(options.remind);
		}
		if (options.repeat) {
			b.repeat(options.repeat);
		}
		return b.setService('CreateMeeting');
	}, doc => (find(doc, 'meetingkey') ? '' : 'no meetingkey in the reply'));
	const key = created ? find(created, 'meetingkey') : '0';
	await call('GetMeeting', role, b => b.meetingKey(key).setService('GetMeeting'),
		doc => {
			const text = JSON.stringify(doc);
			const missing = [`guest${i}a@example.com`, `guest${i}b@example.com`].filter(e => !text.includes(e));
			if (find(doc, 'confName') !== confName) {
				return `confName ${find(doc, 'confName')}`;
			}
			return missing.length ? `attendees missing: ${missing}` : '';
		});
	await call('SetMeeting', role, b => b.meetingKey(key)
		.metaData({confName: `${confName} renamed`})
		.schedule({duration: 45})
		.setService('SetMeeting'));
	await call('GetMeeting after SetMeeting', role, b => b.meetingKey(key).setService('GetMeeting'),
		doc => {
			const problems = [];
			if (find(doc, 'confName') !== `${confName} renamed`) {
				problems.push(`confName ${find(doc, 'confName')}`);
			}
			if (find(doc, 'duration') !== '45') {
				problems.push(`duration ${find(doc, 'duration')}`);
			}
			return problems.join('; ');
		});
	await call('GethosturlMeeting', role, b => b.sessionKey(key).setService('GethosturlMeeting'),
		doc => (find(doc, 'hostMeetingURL') ? '' : 'no hostMeetingURL'));
	await call('GetjoinurlMeeting', role, b => b.sessionKey(key).attendeeName({name: 'Guest'}).setService('GetjoinurlMeeting'),
		doc => (find(doc, 'joinMeetingURL') ? '' : 'no joinMeetingURL'));
	await call('LstsummaryMeeting', role, b => b.listControl({startFrom: 1, maximumNum: 10})
		.order([{orderBy: 'HOSTNAME', orderAD: 'ASC'}, {orderBy: 'STATUS', orderAD: 'DESC'}])
		.setService('LstsummaryMeeting'),
		doc => (JSON.stringify(doc).includes(key) ? '' : `meeting ${key} not listed`));
	await call('DelMeeting', role, b => b.meetingKey(key).setService('DelMeeting'));
	return key;
}

async function main() {
	await call('GetSite', 'host', b => b.setService('GetSite'),
		doc => (find(doc, 'siteName') || find(doc, 'siteInstance') ? '' : 'no siteInstance'));
	await call('GetSite (admin)', 'admin', b => b.setService('GetSite'));
	const auth = await call('AuthenticateUser', 'host', b => b.accessToken(info.accessToken).setService('AuthenticateUser'),
		doc => (find(doc, 'sessionTicket') ? '' : 'no sessionTicket'));
	const ticket = auth ? find(auth, 'sessionTicket') : 'none';
	await call('GetSite (sessionTicket)', {webExID: info.accounts.host.webExID, sessionTicket: ticket, siteName: info.siteName},
		b => b.setService('GetSite'));
	await call('GetSite (password and sessionTicket)', Object.assign(creds('host'), {sessionTicket: ticket}),
		b => b.setService('GetSite'));

	await meetingRound(1, 'host', {schedule: {timeZoneID: 4}});
	await meetingRound(2, 'host', {
		schedule: {timeZoneID: 20, entryExitTone: 'BEEP', joinTeleconfBeforeHost: true},
		enableOptions: {chat: true, poll: false, attendeeList: true},
		accessControl: {meetingPassword: 'Pass1234', listToPublic: false, isPublic: false},
		remind: {enableReminder: true, emails: ['r1@example.com', 'r2@example.com'], daysAhead: 0, hoursAhead: 1, minutesAhead: 0}
	});
	await meetingRound(3, 'admin', {
		schedule: {timezoneID: 5},
		repeat: {repeatType: 'WEEKLY', dayInWeek: ['MONDAY', 'WEDNESDAY'], expirationDate: tomorrow(23)}
	});
	const key4 = await meetingRound(4, 'host', {schedule: {timeZoneID: 4, hostWebExID: info.accounts.host.webExID}});
	await call('GetMeeting (deleted)', 'host', b => b.meetingKey(key4).setService('GetMeeting'), null, '060001');

	for (const j of [1, 2]) {
		const tc = await call('CreateTeleconferenceSession', 'host', b => b
			.metaData({confName: `Teleconference ${j}`})
			.schedule({startDate: tomorrow(14 + j), duration: 60, timeZoneID: 4})
			.setService('CreateTeleconferenceSession'),
			doc => (find(doc, 'sessionKey') ? '' : 'no sessionKey'));
		const tkey = tc ? find(tc, 'sessionKey') : '0';
		await call('GetTeleconferenceSession', 'host', b => b.sessionKey(tkey).setService('GetTeleconferenceSession'),
			doc => (find(doc, 'confName') === `Teleconference ${j}` ? '' : `confName ${find(doc, 'confName')}`));
		await call('DelMeeting (teleconference)', 'host', b => b.meetingKey(tkey).setService('DelMeeting'));
	}
	await call('LstsummaryMeeting (after the deletes)', 'host', b => b.listControl({startFrom: 1, maximumNum: 10}).setService('LstsummaryMeeting'));
}

main().then(() => process.exit(0), err => {
	process.stderr.write(`driver error: ${err.stack}\n`);
	process.exit(2);
});
