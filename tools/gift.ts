// TUILiveKit gifts (REST service live_engine_http_srv): the gift catalogue and its categories, their names per
// language, and sending a gift in a live room.
import { z } from 'zod';
import { restCommand } from './define.js';
import { NoOutput } from './fields.js';
import { Account, Accounts, answer, reply, RoomId, text } from './rest-fields.js';

const service = 'live_engine_http_srv';
/** The gift configuration commands allow one call per second. */
const shared = { toolset: 'live', service, rateLimit: 1, errors: ['102001'] } as const;

const GiftId = text(20, 1);
const CategoryId = text(20, 1);
const Language = z.enum(['en', 'zh-Hans', 'zh-Hant']);
const ExtensionInfo = text(100).describe('JSON');
const Gift = answer({
  GiftId: z.string(), IconUrl: z.string(), ResourceUrl: z.string(), Coins: z.int(), Level: z.int(),
  ExtensionInfo: z.string(), DefaultName: z.string(), DefaultDesc: z.string(),
});

export const live_add_gift = restCommand({
  ...shared,
  name: 'live_add_gift',
  aliases: ['new gift', '添加 礼物', '新增 礼物'],
  command: 'add_gift',
  effect: 'write',
  description: 'Add a gift to the app\'s gift catalogue.',
  input: z.object({
    GiftId,
    IconUrl: text(200).optional(),
    ResourceUrl: text(200).optional().describe('Effect animation, e.g. mp4 or svg'),
    Coins: z.int().min(0).describe('Price in virtual coins'),
    Level: z.int().min(0).optional(),
    ExtensionInfo: ExtensionInfo.optional(),
    DefaultName: text(20),
    DefaultDesc: text(20).optional(),
  }),
  output: NoOutput,
});

export const live_get_gift = restCommand({
  ...shared,
  name: 'live_get_gift',
  aliases: ['获取 礼物 信息', '礼物 详情'],
  command: 'get_gift',
  effect: 'read',
  description: 'One gift of the catalogue.',
  input: z.object({ GiftId }),
  output: reply({ GiftInfo: Gift }),
});

export const live_del_gift = restCommand({
  ...shared,
  name: 'live_del_gift',
  aliases: ['删除 礼物'],
  command: 'del_gift',
  effect: 'destructive',
  description: 'Delete a gift, with its names in other languages and its places in categories.',
  input: z.object({ GiftId }),
  output: NoOutput,
});

export const live_set_gift_language = restCommand({
  ...shared,
  name: 'live_set_gift_language',
  aliases: ['设置 礼物 多语言'],
  command: 'set_gift_language',
  effect: 'write',
  idempotent: true,
  description: 'Name and describe a gift in a language; members left out keep their value.',
  input: z.object({ GiftId, Language, Name: text(20).optional().describe('Required the first time'), Desc: text(20).optional() }),
  output: NoOutput,
});

export const live_get_gift_language = restCommand({
  ...shared,
  name: 'live_get_gift_language',
  aliases: ['获取 礼物 多语言'],
  command: 'get_gift_language',
  effect: 'read',
  description: 'A gift\'s name and description in a language.',
  input: z.object({ GiftId, Language }),
  output: reply({ GiftInfo: answer({ Name: z.string(), Desc: z.string() }) }),
});

export const live_del_gift_language = restCommand({
  ...shared,
  name: 'live_del_gift_language',
  aliases: ['删除 礼物 多语言'],
  command: 'del_gift_language',
  effect: 'destructive',
  description: 'Delete a gift\'s name and description in a language.',
  input: z.object({ GiftId, Language }),
  output: NoOutput,
});

export const live_add_gift_category = restCommand({
  ...shared,
  name: 'live_add_gift_category',
  aliases: ['添加 礼物 分类'],
  command: 'add_gift_category',
  effect: 'write',
  description: 'Add a gift category (an app has at most 3).',
  input: z.object({ CategoryId, ExtensionInfo: ExtensionInfo.optional(), DefaultName: text(20), DefaultDesc: text(60).optional() }),
  output: NoOutput,
});

export const live_get_gift_category = restCommand({
  ...shared,
  name: 'live_get_gift_category',
  aliases: ['获取 礼物 分类'],
  command: 'get_gift_category',
  effect: 'read',
  description: 'One gift category.',
  input: z.object({ CategoryId }),
  output: reply({ GiftCategoryInfo: answer({ CategoryId: z.string(), ExtensionInfo: z.string(), DefaultName: z.string(), DefaultDesc: z.string() }) }),
});

export const live_set_gift_category_language = restCommand({
  ...shared,
  name: 'live_set_gift_category_language',
  aliases: ['设置 礼物 分类 多语言'],
  command: 'set_gift_category_language',
  effect: 'write',
  idempotent: true,
  description: 'Name and describe a gift category in a language; members left out keep their value.',
  input: z.object({ CategoryId, Language, CategoryName: z.string().optional().describe('Required the first time'), CategoryDesc: z.string().optional() }),
  output: NoOutput,
});

export const live_get_gift_category_language = restCommand({
  ...shared,
  name: 'live_get_gift_category_language',
  aliases: ['获取 礼物 分类 多语言'],
  command: 'get_gift_category_language',
  effect: 'read',
  description: 'A gift category\'s name and description in a language.',
  input: z.object({ CategoryId, Language }),
  output: reply({ CategoryInfo: answer({ CategoryName: z.string(), CategoryDesc: z.string() }) }),
});

export const live_del_gift_category_language = restCommand({
  ...shared,
  name: 'live_del_gift_category_language',
  aliases: ['删除 礼物 分类 多语言'],
  command: 'del_gift_category_language',
  effect: 'destructive',
  description: 'Delete a gift category\'s name and description in a language.',
  input: z.object({ CategoryId, Language }),
  output: NoOutput,
});

const relations = { CategoryId, GiftIdList: z.array(GiftId).min(1) };

export const live_add_gift_category_relations = restCommand({
  ...shared,
  name: 'live_add_gift_category_relations',
  aliases: ['礼物 加入 分类'],
  command: 'add_gift_category_relations',
  effect: 'write',
  idempotent: true,
  description: 'Put gifts into a category (added to the gifts already there). Unknown gifts come back in InvalidGiftIdList.',
  input: z.object(relations),
  output: reply({ InvalidGiftIdList: z.array(z.string()) }),
});

export const live_get_gift_category_relations = restCommand({
  ...shared,
  name: 'live_get_gift_category_relations',
  aliases: ['获取 分类 礼物'],
  command: 'get_gift_category_relations',
  effect: 'read',
  description: 'The gifts in a category.',
  input: z.object({ CategoryId }),
  output: reply({ Relation: answer({ CategoryId: z.string(), GiftIdList: z.array(z.string()) }) }),
});

export const live_del_gift_category_relations = restCommand({
  ...shared,
  name: 'live_del_gift_category_relations',
  aliases: ['分类 移除 礼物'],
  command: 'del_gift_category_relations',
  effect: 'destructive',
  description: 'Take gifts out of a category (the gifts stay in the catalogue).',
  input: z.object(relations),
  output: NoOutput,
});

export const live_copy_default_gift_config = restCommand({
  ...shared,
  name: 'live_copy_default_gift_config',
  aliases: ['复制 默认 礼物 配置', '默认 礼物'],
  command: 'copy_default_gift_config',
  // Documented as one call every ten seconds.
  rateLimit: 0.1,
  effect: 'write',
  description: 'Fill an app that has no gifts yet with the demo catalogue: 3 categories and 15 gifts.',
  input: z.object({}),
  output: NoOutput,
});

export const live_send_gift = restCommand({
  ...shared,
  name: 'live_send_gift',
  aliases: ['gift', 'tip', 'reward', '送 礼物', '赠送 礼物', '打赏', '刷 礼物'],
  command: 'send_gift',
  rateLimit: 200,
  effect: 'write',
  description: 'Send a gift in a live room on a user\'s behalf, to one or more receivers.',
  input: z.object({
    RoomId,
    GiftId,
    Count: z.int().min(1).optional().describe('Default 1'),
    From_Account: Account,
    ReceiverList_Account: Accounts(),
  }),
  output: NoOutput,
});
