// Gift behaviour of live rooms: a catalogue of at most 16 gifts and 3 categories per app, names per language, and
// gifts sent in rooms, which get_gift_count adds up. Deleting a gift takes it out of its categories too.
import type { GiftEntry } from '../rest-state.js';
import { engineRoom, invalid, requireMembers, type RestContext, type RestHandler } from './rest-common.js';

const S = 'live_engine_http_srv';
const MAX_GIFTS = 16;
const MAX_CATEGORIES = 3;

function entry(map: Map<string, GiftEntry>, id: string, what: string): GiftEntry {
  const e = map.get(id);
  if (!e) throw invalid(`${what} ${id} does not exist.`);
  return e;
}
const gift = (ctx: RestContext) => entry(ctx.state.gifts, ctx.params.GiftId, 'Gift');
const category = (ctx: RestContext) => entry(ctx.state.giftCategories, ctx.params.CategoryId, 'Gift category');

function add(map: Map<string, GiftEntry>, id: string, info: Record<string, any>, max: number, what: string): void {
  if (map.has(id)) throw invalid(`${what} ${id} already exists.`);
  if (map.size >= max) throw invalid(`An app has at most ${max} ${what.toLowerCase()}s.`);
  map.set(id, { info, languages: new Map() });
}

/** Sets a name and description in a language: the name is required the first time; members left out keep their value. */
function setLanguage(e: GiftEntry, language: string, name: string | undefined, desc: string | undefined): void {
  const was = e.languages.get(language);
  if (!was && name === undefined) throw invalid(`The first ${language} text needs a name.`);
  e.languages.set(language, { ...was, ...(name !== undefined && { Name: name }), ...(desc !== undefined && { Desc: desc }) });
}

function language(e: GiftEntry, lang: string) {
  const texts = e.languages.get(lang);
  if (!texts) throw invalid(`No ${lang} text is set.`);
  return texts;
}

/** The demo catalogue that copy_default_gift_config installs. */
const DEFAULT_CATEGORIES = ['popular', 'classic', 'luxury'];
const DEFAULT_GIFTS = Array.from({ length: 15 }, (_, i) => ({ GiftId: `gift_${i + 1}`, DefaultName: `Gift ${i + 1}`, Coins: [1, 5, 10, 50, 100][i % 5]!, Level: Math.floor(i / 5) }));

export const giftHandlers: Record<string, RestHandler> = {
  [`${S}/add_gift`]: (ctx) => {
    const { GiftId, ...info } = ctx.params;
    add(ctx.state.gifts, GiftId, { GiftId, Level: 0, ...info }, MAX_GIFTS, 'Gift');
    return {};
  },
  [`${S}/get_gift`]: (ctx) => ({ GiftInfo: gift(ctx).info }),
  [`${S}/del_gift`]: (ctx) => {
    gift(ctx);
    ctx.state.gifts.delete(ctx.params.GiftId);
    for (const c of ctx.state.giftCategories.values()) c.info.GiftIdList = c.info.GiftIdList.filter((id: string) => id !== ctx.params.GiftId);
    return {};
  },
  [`${S}/set_gift_language`]: (ctx) => (setLanguage(gift(ctx), ctx.params.Language, ctx.params.Name, ctx.params.Desc), {}),
  [`${S}/get_gift_language`]: (ctx) => ({ GiftInfo: language(gift(ctx), ctx.params.Language) }),
  [`${S}/del_gift_language`]: (ctx) => (language(gift(ctx), ctx.params.Language), gift(ctx).languages.delete(ctx.params.Language), {}),

  [`${S}/add_gift_category`]: (ctx) => {
    const { CategoryId, ...info } = ctx.params;
    add(ctx.state.giftCategories, CategoryId, { CategoryId, ...info, GiftIdList: [] }, MAX_CATEGORIES, 'Gift category');
    return {};
  },
  [`${S}/get_gift_category`]: (ctx) => {
    const { GiftIdList: _gifts, ...info } = category(ctx).info;
    return { GiftCategoryInfo: info };
  },
  [`${S}/set_gift_category_language`]: (ctx) => (setLanguage(category(ctx), ctx.params.Language, ctx.params.CategoryName, ctx.params.CategoryDesc), {}),
  [`${S}/get_gift_category_language`]: (ctx) => {
    const { Name, Desc } = language(category(ctx), ctx.params.Language);
    return { CategoryInfo: { CategoryName: Name, CategoryDesc: Desc } };
  },
  [`${S}/del_gift_category_language`]: (ctx) => (language(category(ctx), ctx.params.Language), category(ctx).languages.delete(ctx.params.Language), {}),

  // Known gifts are added to those already in the category; unknown ones are reported, not added.
  [`${S}/add_gift_category_relations`]: (ctx) => {
    const c = category(ctx);
    const ids: string[] = ctx.params.GiftIdList;
    const InvalidGiftIdList = ids.filter((id) => !ctx.state.gifts.has(id));
    c.info.GiftIdList = [...new Set([...c.info.GiftIdList, ...ids.filter((id) => ctx.state.gifts.has(id))])];
    return InvalidGiftIdList.length ? { InvalidGiftIdList } : {};
  },
  [`${S}/get_gift_category_relations`]: (ctx) => ({ Relation: { CategoryId: ctx.params.CategoryId, GiftIdList: category(ctx).info.GiftIdList } }),
  [`${S}/del_gift_category_relations`]: (ctx) => {
    const c = category(ctx);
    c.info.GiftIdList = c.info.GiftIdList.filter((id: string) => !ctx.params.GiftIdList.includes(id));
    return {};
  },

  [`${S}/copy_default_gift_config`]: (ctx) => {
    if (ctx.state.gifts.size || ctx.state.giftCategories.size) throw invalid('The app already has gifts or categories; the default catalogue only goes into an empty one.');
    for (const g of DEFAULT_GIFTS) ctx.state.gifts.set(g.GiftId, { info: g, languages: new Map() });
    DEFAULT_CATEGORIES.forEach((id, i) => {
      ctx.state.giftCategories.set(id, { info: { CategoryId: id, DefaultName: id, GiftIdList: DEFAULT_GIFTS.slice(i * 5, i * 5 + 5).map((g) => g.GiftId) }, languages: new Map() });
    });
    return {};
  },

  // The sender and the receivers must be in the room.
  [`${S}/send_gift`]: (ctx) => {
    const { RoomId, GiftId, Count = 1, From_Account, ReceiverList_Account } = ctx.params;
    const room = engineRoom(ctx, RoomId, 'Live');
    const g = gift(ctx);
    requireMembers(ctx, room, [From_Account, ...ReceiverList_Account]);
    ctx.state.giftsSent.push({ roomId: RoomId, giftId: GiftId, from: From_Account, count: Count * ReceiverList_Account.length, coins: g.info.Coins * Count * ReceiverList_Account.length });
    return {};
  },

  [`${S}/get_gift_count`]: (ctx) => {
    const { RoomId, From_Account } = ctx.params;
    engineRoom(ctx, RoomId, 'Live');
    const inRoom = ctx.state.giftsSent.filter((s) => s.roomId === RoomId);
    const mine = inRoom.filter((s) => s.from === From_Account);
    return {
      Response: {
        Sequence: inRoom.length,
        TotalCount: mine.reduce((n, s) => n + s.count, 0),
        TotalCoins: mine.reduce((n, s) => n + s.coins, 0),
        GiftSenderCount: new Set(inRoom.map((s) => s.from)).size,
      },
    };
  },
};
